import { WritLoreError, errorMessage, type JsonValue } from '../../graph/index.js';
import { optionalString } from '../slot-values.js';
import type { ActionContext, ActionOutput, CompensableAction, ResolvedSlots } from '../types.js';
import { bodyUndos, requirePhase, runtimeOf, undoRuns } from './common.js';
import { holds, parsePredicate, type Predicate } from './predicate.js';

const NAME = 'flow.choose';

/** One branch: run `phase` when `when` holds for the value. */
interface Branch {
  readonly when: Predicate;
  readonly phase: string;
}

/**
 * `flow.choose`: runs the body phase of the first branch whose predicate holds for `value`
 * (else the `else` phase, else nothing). The result is the branch's result, or null.
 */
export const chooseAction: CompensableAction = {
  name: NAME,
  spec: { required: ['value', 'branches'], optional: ['else'] },

  async do(ctx: ActionContext, slots: ResolvedSlots): Promise<ActionOutput> {
    const branches = readBranches(slots.branches, ctx.nodeId);
    const otherwise = optionalString(slots, 'else', ctx.nodeId);
    const runtime = runtimeOf(ctx, NAME);
    for (const branch of branches) requirePhase(runtime, branch.phase, 'branches', ctx.nodeId);
    if (otherwise !== undefined) requirePhase(runtime, otherwise, 'else', ctx.nodeId);
    const phase = branches.find((branch) => holds(branch.when, slots.value))?.phase ?? otherwise;
    if (phase === undefined) return { result: null };
    const outcome = await runtime.runBody(phase, {
      index: 0,
      signal: ctx.signal,
      onUndo: (undo) => ctx.registerUndo({ runs: [undo] }),
    });
    if (outcome.kind === 'completed') {
      return { result: outcome.result ?? null, undo: { runs: [outcome.undo] } };
    }
    // The failed branch undid its own nodes; nothing is left for the rollback.
    await ctx.registerUndo({ runs: [] });
    const detail = outcome.undoErrors.length === 0 ? '' : `; undo failed: ${outcome.undoErrors.join('; ')}`;
    const code = outcome.undoErrors.length === 0 ? 'action-failed' : 'rollback-incomplete';
    const message = errorMessage(outcome.error);
    throw new WritLoreError(code, `choose: phase "${phase}" failed: ${message}${detail}`, { cause: outcome.error });
  },

  async undo(ctx: ActionContext, state: JsonValue): Promise<void> {
    await undoRuns(runtimeOf(ctx, NAME), bodyUndos(state, NAME), NAME);
  },
};

function readBranches(value: unknown, nodeId: string): Branch[] {
  if (!Array.isArray(value)) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "branches" must be an array of { when, phase }`);
  }
  return value.map((entry: unknown, index) => {
    const where = `node "${nodeId}": branches[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new WritLoreError('invalid-slot', `${where} must be an object { when, phase }`);
    }
    const { when, phase } = entry as { readonly when?: unknown; readonly phase?: unknown };
    if (typeof phase !== 'string' || phase === '') {
      throw new WritLoreError('invalid-slot', `${where}.phase must be a phase id`);
    }
    return { when: parsePredicate(when, `${where}.when`), phase };
  });
}
