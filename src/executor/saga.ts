import { WritLoreError, isWritLoreError, type Node, type Phase } from '../graph/index.js';
import { unwindStack } from './compensator.js';
import type { RunEnv, Scope } from './env.js';
import { runNode } from './node-runner.js';
import { attemptsOf, waitBeforeRetry } from './retry.js';
import { blockedBy, schedule, type ScheduleOutcome } from './scheduler.js';

/** How one phase ended after all its tries. */
export type PhaseResult = 'completed' | 'failed' | 'cancelled';

/** How the forward pass of a saga ended. */
export interface ForwardOutcome {
  readonly completed: readonly Phase[];
  /** The phase that failed or was cancelled, if any. */
  readonly stoppedAt?: Phase;
  readonly result: PhaseResult;
  /** Per phase, the start sequence number of its last attempt: its stack entries are at or above it. */
  readonly marks: ReadonlyMap<string, number>;
}

/** Runs forward phases in order; stops at the first that fails or is cancelled. */
export async function runForward(env: RunEnv, scope: Scope, phases: readonly Phase[]): Promise<ForwardOutcome> {
  const completed: Phase[] = [];
  const marks = new Map<string, number>();
  for (const [position, phase] of phases.entries()) {
    const result = await runPhase(env, scope, phase, marks);
    if (result === 'completed') {
      completed.push(phase);
      continue;
    }
    const reason =
      result === 'cancelled' ? 'skipped: run cancelled' : `skipped: phase "${phase.id}" failed`;
    for (const later of phases.slice(position + 1)) skipPhase(env, later, reason);
    return { completed, stoppedAt: phase, result, marks };
  }
  return { completed, result: 'completed', marks };
}

/** Marks a phase and its nodes skipped. */
export function skipPhase(env: RunEnv, phase: Phase, reason: string): void {
  env.ledger.markPhase(phase, 'skipped');
  for (const id of phase.nodes) env.ledger.markSkipped(env.ledger.node(id), reason);
}

/**
 * Runs one phase with its RetryPolicy: a failed try undoes its own completed nodes, waits on
 * the clock and tries again; every try is recorded as an attempt.
 */
async function runPhase(env: RunEnv, scope: Scope, phase: Phase, marks: Map<string, number>): Promise<PhaseResult> {
  const total = attemptsOf(phase);
  const nodes = phase.nodes.map((id) => env.ledger.node(id));
  let lastError = '';
  for (let attempt = 1; attempt <= total; attempt += 1) {
    if (attempt > 1 && !(await waitBeforeRetry(env, phase, attempt, lastError))) {
      skipNotStarted(env, nodes, [], 'skipped: run cancelled');
      env.ledger.markPhase(phase, 'failed');
      return 'cancelled';
    }
    const mark = env.ledger.nextOrder();
    marks.set(phase.id, mark);
    const attemptOutcome = await tryPhase(env, scope, phase, nodes, attempt);
    if (attemptOutcome.kind === 'completed') return 'completed';
    lastError = attemptOutcome.error;
    const { outcome } = attemptOutcome;
    if (outcome.failed.length === 0) {
      skipNotStarted(env, outcome.notStarted, [], 'skipped: run cancelled');
      env.ledger.markPhase(phase, 'failed');
      return 'cancelled';
    }
    const mayRetry = attempt < total && isRetryable(scope, outcome.failed);
    if (mayRetry && (await undoAttempt(env, scope, nodes, mark))) continue;
    skipNotStarted(env, outcome.notStarted, outcome.failed, `skipped: phase "${phase.id}" failed`, phase);
    env.ledger.markPhase(phase, 'failed');
    return 'failed';
  }
  return 'failed';
}

/** One try of a phase: its nodes scheduled (first failure halts), the attempt recorded. */
async function tryPhase(
  env: RunEnv,
  scope: Scope,
  phase: Phase,
  nodes: readonly Node[],
  attempt: number,
): Promise<{ kind: 'completed' } | { kind: 'failed'; error: string; outcome: ScheduleOutcome }> {
  await env.hooks.emit('onPhaseStart', { phase, attempt });
  const outcome = await schedule({
    nodes,
    edges: env.edgesOf(phase.id),
    jobs: env.jobs,
    policy: 'halt',
    signal: env.signal,
    run: (node) => runNode(env, scope, node),
  });
  const failedNode = outcome.failed[0];
  if (failedNode === undefined && outcome.notStarted.length === 0) {
    env.ledger.addAttempt(phase, { number: attempt, status: 'completed' });
    await env.hooks.emit('onPhaseComplete', { phase, attempt });
    env.ledger.markPhase(phase, 'completed');
    return { kind: 'completed' };
  }
  const error = failedNode === undefined ? 'cancelled' : (env.ledger.node(failedNode).error ?? failedNode);
  env.ledger.addAttempt(phase, { number: attempt, status: 'failed', error });
  await env.hooks.emit('onPhaseComplete', { phase, attempt, error });
  return { kind: 'failed', error, outcome };
}

/**
 * False when any failure of the try says a retry cannot help (`retryable: false`, e.g. a
 * checksum mismatch); errors that say nothing are left to the retry policy.
 */
function isRetryable(scope: Scope, failed: readonly string[]): boolean {
  return failed.every((id) => {
    const error = scope.failures.get(id);
    return !(isWritLoreError(error) && error.retryable === false);
  });
}

/** Undoes one failed try and resets its nodes; false when an undo failed (no more tries). */
async function undoAttempt(env: RunEnv, scope: Scope, nodes: readonly Node[], mark: number): Promise<boolean> {
  const failures = await unwindStack(env, scope, scope.stack, { from: mark });
  if (failures.length > 0) return false;
  // Nodes skipped before the run stay skipped; everything this try ran is tried again.
  for (const node of nodes) if (node.status !== 'skipped') env.ledger.markPending(node);
  return true;
}

function skipNotStarted(
  env: RunEnv,
  nodes: readonly Node[],
  failed: readonly string[],
  reason: string,
  phase?: Phase,
): void {
  const blocked = phase === undefined ? new Map<string, string>() : blockedBy(failed, nodes, env.edgesOf(phase.id));
  for (const node of nodes) {
    if (node.status !== 'pending') continue;
    const origin = blocked.get(node.id);
    env.ledger.markSkipped(node, origin === undefined ? reason : `skipped: depends on failed node "${origin}"`);
  }
}

/** The error reported for a phase that failed after all its tries. */
export function phaseFailed(phase: Phase): WritLoreError {
  const attempts = phase.attempts ?? [];
  const last = attempts[attempts.length - 1]?.error ?? 'unknown error';
  const tries = attempts.length === 1 ? '1 attempt' : `${attempts.length} attempts`;
  return new WritLoreError('action-failed', `phase "${phase.name}" failed after ${tries}: ${last}`);
}

