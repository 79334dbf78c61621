import type { Graph } from '../graph/index.js';
import { unwindStack } from './compensator.js';
import type { RunEnv, Scope } from './env.js';
import { runNode } from './node-runner.js';
import { blockedBy, schedule } from './scheduler.js';
import type { FailurePolicy } from './types.js';

/** How a flat run ended (before rollback). */
export interface FlatOutcome {
  readonly failed: readonly string[];
  readonly cancelled: boolean;
}

/**
 * Runs a graph without phases under `policy`, then marks what never started: dependents of a
 * failure are `skipped` (with the node they depend on), the rest `skipped` under `rollback`
 * or cancellation and left `pending` under `stop`.
 */
export async function runFlat(env: RunEnv, scope: Scope, graph: Graph, policy: FailurePolicy): Promise<FlatOutcome> {
  const outcome = await schedule({
    nodes: graph.nodes,
    edges: graph.edges,
    jobs: env.jobs,
    policy: policy === 'continue' ? 'continue' : 'halt',
    signal: env.signal,
    run: (node) => runNode(env, scope, node),
  });
  const cancelled = env.signal.aborted;
  const firstFailed = outcome.failed[0];
  const leavePending = (policy === 'stop' && !cancelled) || outcome.notStarted.length === 0;
  const blocked = leavePending ? new Map<string, string>() : blockedBy(outcome.failed, graph.nodes, graph.edges);
  for (const node of outcome.notStarted) {
    const origin = blocked.get(node.id);
    if (origin !== undefined) env.ledger.markSkipped(node, `skipped: depends on failed node "${origin}"`);
    else if (cancelled) env.ledger.markSkipped(node, 'skipped: run cancelled');
    else if (policy === 'rollback' && firstFailed !== undefined) {
      env.ledger.markSkipped(node, `skipped: run stopped after node "${firstFailed}" failed`);
    }
  }
  return { failed: outcome.failed, cancelled };
}

/** Undoes everything a flat run registered, in reverse start order. */
export async function rollbackFlat(env: RunEnv, scope: Scope): Promise<void> {
  await unwindStack(env, scope, scope.stack);
}
