import type { Node, Phase } from '../graph/index.js';
import { unwindStack, type UndoFailure } from './compensator.js';
import type { RunEnv, Scope } from './env.js';
import { runNode } from './node-runner.js';
import { RecoveryStack } from './recovery-stack.js';
import type { ForwardOutcome } from './saga.js';
import { blockedBy, schedule, type ScheduleOutcome } from './scheduler.js';

/**
 * Rolls a saga back phase by phase, mirroring the forward run: first the failed phase's own
 * nodes are undone; then, for each completed phase from the newest, its compensation phase runs
 * (while that phase's effects, and every earlier phase's, are still in place: an uninstall hook
 * can still find what it uninstalls) and then its nodes are undone in reverse start order. One
 * rollback entry per phase; never stops at a failure.
 */
export async function rollbackSaga(env: RunEnv, scope: Scope, forward: ForwardOutcome): Promise<void> {
  const { stoppedAt, marks } = forward;
  if (stoppedAt !== undefined) {
    const errors = await undoPhaseNodes(env, scope, marks.get(stoppedAt.id));
    env.ledger.addRollback({ phase: stoppedAt.id, ...outcome(errors) });
  }
  for (const phase of [...forward.completed].reverse()) {
    const errors: string[] = [];
    const compensate = phase.compensate;
    if (compensate !== undefined) {
      const error = await compensatePhase(env, compensate);
      if (error !== undefined) errors.push(error);
    }
    errors.push(...(await undoPhaseNodes(env, scope, marks.get(phase.id))));
    env.ledger.addRollback({
      phase: phase.id,
      ...(compensate === undefined ? {} : { compensate }),
      ...outcome(errors),
    });
    env.ledger.markPhase(phase, 'rolled_back');
  }
}

/** Undoes the stack entries registered at or after `from` (one phase's), newest first. */
async function undoPhaseNodes(env: RunEnv, scope: Scope, from: number | undefined): Promise<string[]> {
  const failures = await unwindStack(env, scope, scope.stack, from === undefined ? {} : { from });
  return failures.map(describe);
}

function outcome(errors: readonly string[]): { status: 'completed' } | { status: 'failed'; error: string } {
  return errors.length === 0 ? { status: 'completed' } : { status: 'failed', error: errors.join('; ') };
}

function describe(failure: UndoFailure): string {
  return `undo of "${failure.node}" failed: ${failure.message}`;
}

/**
 * Runs compensation phase `id` once (no retry, nothing undone): every node that does not
 * depend on a failed one runs. Returns the error text when it did not complete.
 */
async function compensatePhase(env: RunEnv, id: string): Promise<string | undefined> {
  const phase = env.ledger.phase(id);
  if (phase === undefined) return `compensation phase "${id}" not found`;
  if (env.undoSignal.aborted) {
    const error = 'compensation was cut short before this phase';
    env.ledger.undoFailures.push({ node: phase.nodes[0] ?? id, message: `phase "${id}": ${error}` });
    return error;
  }
  const scope: Scope = { results: new Map(), stack: new RecoveryStack(), signal: env.undoSignal, failures: new Map() };
  const nodes = phase.nodes.map((node) => env.ledger.node(node));
  await env.hooks.emit('onPhaseStart', { phase, attempt: 1 });
  const result = await schedule({
    nodes,
    edges: env.edgesOf(id),
    jobs: env.jobs,
    policy: 'continue',
    signal: env.undoSignal,
    run: (node) => runNode(env, scope, node),
  });
  return finishCompensation(env, phase, nodes, result);
}

/** Marks what a compensation phase did not run, records its attempt and status. */
async function finishCompensation(
  env: RunEnv,
  phase: Phase,
  nodes: readonly Node[],
  result: ScheduleOutcome,
): Promise<string | undefined> {
  const blocked = blockedBy(result.failed, nodes, env.edgesOf(phase.id));
  for (const node of result.notStarted) {
    const origin = blocked.get(node.id);
    env.ledger.markSkipped(node, origin === undefined ? 'skipped: compensation cut short' : `skipped: depends on failed node "${origin}"`);
  }
  const errors = result.failed.map((node) => env.ledger.node(node).error ?? node);
  if (errors.length === 0 && result.notStarted.length > 0) errors.push('cut short');
  const error = errors.length === 0 ? undefined : errors.join('; ');
  env.ledger.addAttempt(phase, error === undefined ? { number: 1, status: 'completed' } : { number: 1, status: 'failed', error });
  await env.hooks.emit('onPhaseComplete', { phase, attempt: 1, ...(error === undefined ? {} : { error }) });
  env.ledger.markPhase(phase, error === undefined ? 'completed' : 'failed');
  if (error !== undefined) {
    env.ledger.report({ kind: 'compensation-failed', phase: phase.id, message: error });
    env.ledger.undoFailures.push({ node: result.failed[0] ?? phase.id, message: `compensation phase "${phase.id}": ${error}` });
  }
  return error;
}
