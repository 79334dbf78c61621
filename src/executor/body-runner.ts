import type { BodyOutcome, BodyRunOptions, BodyUndo, FlowRuntime } from '../actions/index.js';
import { WritLoreError, type Node, type Phase } from '../graph/index.js';
import { rollbackIncomplete, unwindStack } from './compensator.js';
import { LayeredResults, type RunEnv, type Scope } from './env.js';
import { runNode } from './node-runner.js';
import { RecoveryStack } from './recovery-stack.js';
import { schedule } from './scheduler.js';

/** Options of a {@link BodyRunner}. */
export interface BodyRunnerOptions {
  readonly env: RunEnv;
  /** The scope the flow node runs in; body iterations see its results and proxies. */
  readonly parent: Scope;
  /** The flow node (gather or choose) whose bodies this runs. */
  readonly flowNode: Node;
  /** Its context: body runs abort with it. */
  readonly context: { readonly signal: AbortSignal };
}

/**
 * The executor's {@link FlowRuntime}: runs a body phase as real nodes (hooks, statuses,
 * timestamps, undo registration) in an isolated scope (own results layer, own recovery stack,
 * the item bound to the flow node's proxies), and undoes a body run from its undo state.
 */
export class BodyRunner implements FlowRuntime {
  private readonly options: BodyRunnerOptions;

  constructor(options: BodyRunnerOptions) {
    this.options = options;
  }

  hasPhase(id: string): boolean {
    return this.options.env.ledger.phase(id) !== undefined;
  }

  async runBody(phaseId: string, run: BodyRunOptions): Promise<BodyOutcome> {
    const { env } = this.options;
    const phase = this.phase(phaseId);
    const scope = this.scope(phaseId, run);
    const nodes = phase.nodes.map((id) => env.ledger.node(id));
    const outcome = await schedule({
      nodes,
      edges: env.edgesOf(phaseId),
      jobs: env.jobs,
      policy: 'halt',
      signal: run.signal,
      run: async (node) => {
        const completed = await runNode(env, scope, node);
        if (!completed) run.onFailure?.();
        return completed;
      },
    });
    const firstFailed = outcome.failed[0];
    if (firstFailed === undefined && outcome.notStarted.length === 0) {
      const last = nodes[nodes.length - 1];
      const result = last === undefined ? undefined : scope.results.own(last.id);
      return { kind: 'completed', result, undo: snapshot(phaseId, run.index, scope.stack) };
    }
    const error =
      firstFailed === undefined
        ? new WritLoreError('cancelled', `body "${phaseId}" item ${run.index} was cancelled`)
        : scope.failures.get(firstFailed);
    const undoErrors = await unwindStack(env, scope, scope.stack);
    return { kind: 'failed', error, undoErrors: undoErrors.map((f) => `${f.node}: ${f.message}`) };
  }

  async undoBody(undo: BodyUndo): Promise<void> {
    const { env } = this.options;
    const stack = new RecoveryStack();
    undo.entries.forEach((entry, order) => stack.push({ ...entry, order }));
    const scope = this.scope(undo.phase, { index: undo.index, signal: env.undoSignal });
    const failures = await unwindStack(env, scope, stack);
    if (failures.length > 0) throw rollbackIncomplete(failures);
  }

  private phase(id: string): Phase {
    const phase = this.options.env.ledger.phase(id);
    if (phase === undefined) {
      throw new WritLoreError('invalid-slot', `node "${this.options.flowNode.id}" names unknown phase "${id}"`);
    }
    return phase;
  }

  private scope(
    phaseId: string,
    run: Pick<BodyRunOptions, 'index' | 'item' | 'signal' | 'onUndo'>,
  ): Scope & { readonly results: LayeredResults } {
    const { parent, flowNode } = this.options;
    const proxyItems = new Map(parent.proxyItems ?? []);
    if (run.item !== undefined) proxyItems.set(flowNode.id, run.item.value);
    const stack = new RecoveryStack();
    const onUndo = run.onUndo;
    return {
      results: new LayeredResults(parent.results),
      stack,
      proxyItems,
      iteration: { flow: flowNode.id, index: run.index },
      signal: run.signal,
      failures: new Map(),
      ...(onUndo === undefined ? {} : { onUndo: () => onUndo(snapshot(phaseId, run.index, stack)) }),
    };
  }
}

function snapshot(phase: string, index: number, stack: RecoveryStack): BodyUndo {
  const entries = stack.entries().map(({ node, action, undo }) => ({ node, action, undo }));
  return { phase, index, entries };
}
