import pLimit from 'p-limit';
import { WritLoreError, errorMessage, type JsonValue } from '../../graph/index.js';
import { optionalNumber, requireString } from '../slot-values.js';
import type { ActionContext, ActionOutput, CompensableAction, ResolvedSlots } from '../types.js';
import { bodyUndos, requirePhase, runtimeOf, undoRuns } from './common.js';
import type { BodyUndo, FlowRuntime } from './runtime.js';

const NAME = 'flow.gather';

/** What one gather run collects while its iterations go. */
interface GatherRun {
  readonly runs: (BodyUndo | undefined)[];
  readonly results: unknown[];
  readonly failures: { readonly index: number; readonly error: unknown; readonly undoErrors: readonly string[] }[];
}

/**
 * `flow.gather`: runs body phase `body` once per element of `items` (at most `limit` at once),
 * with proxy slots on this node bound to the item. Results come back in item order. The first
 * failing item stops new ones from starting; every completed item is then undone.
 */
export const gatherAction: CompensableAction = {
  name: NAME,
  spec: { required: ['items', 'body'], optional: ['limit'] },

  async do(ctx: ActionContext, slots: ResolvedSlots): Promise<ActionOutput> {
    const items = slots.items;
    if (!Array.isArray(items)) {
      throw new WritLoreError('invalid-slot', `node "${ctx.nodeId}": slot "items" must be an array`);
    }
    const body = requireString(slots, 'body', ctx.nodeId);
    const limit = readLimit(slots, ctx.nodeId);
    const runtime = runtimeOf(ctx, NAME);
    requirePhase(runtime, body, 'body', ctx.nodeId);
    const run: GatherRun = { runs: new Array<BodyUndo | undefined>(items.length), results: new Array<unknown>(items.length), failures: [] };
    await runItems(ctx, runtime, body, items, limit, run);
    if (run.failures.length === 0 && !ctx.signal.aborted) {
      return { result: run.results, undo: { runs: run.runs as BodyUndo[] } };
    }
    throw await failGather(ctx, runtime, run);
  },

  async undo(ctx: ActionContext, state: JsonValue): Promise<void> {
    await undoRuns(runtimeOf(ctx, NAME), bodyUndos(state, NAME), NAME);
  },
};

function readLimit(slots: ResolvedSlots, nodeId: string): number {
  const limit = optionalNumber(slots, 'limit', nodeId) ?? 1;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "limit" must be a whole number ≥ 1 (got ${limit})`);
  }
  return limit;
}

async function runItems(
  ctx: ActionContext,
  runtime: FlowRuntime,
  body: string,
  items: readonly unknown[],
  limit: number,
  run: GatherRun,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) stop.abort(ctx.signal.reason);
  const limiter = pLimit(limit);
  try {
    await Promise.all(items.map((item, index) => limiter(() => runItem(ctx, runtime, body, { item, index, stop, run }))));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** Runs the body for one item unless the gather already stopped; records its outcome. */
async function runItem(
  ctx: ActionContext,
  runtime: FlowRuntime,
  body: string,
  { item, index, stop, run }: { item: unknown; index: number; stop: AbortController; run: GatherRun },
): Promise<void> {
  if (stop.signal.aborted) return;
  const outcome = await runtime.runBody(body, {
    index,
    item: { value: item },
    signal: stop.signal,
    onFailure: () => stop.abort(),
    onUndo: async (undo) => {
      run.runs[index] = undo;
      await ctx.registerUndo({ runs: run.runs.filter((r) => r !== undefined) });
    },
  });
  if (outcome.kind === 'completed') {
    run.runs[index] = outcome.undo;
    run.results[index] = outcome.result;
    return;
  }
  run.runs[index] = undefined;
  run.failures.push({ index, error: outcome.error, undoErrors: outcome.undoErrors });
  stop.abort();
}

/** Undoes every completed item (last first) and builds the error naming the first failed item. */
async function failGather(ctx: ActionContext, runtime: FlowRuntime, run: GatherRun): Promise<WritLoreError> {
  const undoErrors = run.failures.flatMap((failure) => failure.undoErrors);
  const completed = run.runs.filter((r): r is BodyUndo => r !== undefined);
  try {
    await undoRuns(runtime, completed, NAME);
  } catch (error) {
    undoErrors.push(errorMessage(error));
  }
  // Everything this gather did is undone (or reported below): nothing is left for the rollback.
  await ctx.registerUndo({ runs: [] });
  const first = [...run.failures].sort((a, b) => a.index - b.index)[0];
  const cause = first === undefined ? 'cancelled' : `item ${first.index} failed: ${errorMessage(first.error)}`;
  if (undoErrors.length > 0) {
    return new WritLoreError('rollback-incomplete', `gather: ${cause}; undo failed: ${undoErrors.join('; ')}`);
  }
  const code = first === undefined ? 'cancelled' : 'action-failed';
  return new WritLoreError(code, `gather: ${cause}`, { cause: first?.error });
}
