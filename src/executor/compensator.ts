import { isCompensable, isNotCompensable } from '../actions/index.js';
import { WritLoreError, errorMessage } from '../graph/index.js';
import { NodeContext } from './context.js';
import type { RunEnv, Scope } from './env.js';
import { actionOf } from './node-runner.js';
import type { RecoveryEntry, RecoveryStack, UnwindOptions } from './recovery-stack.js';

/** An undo that failed: the node and why. */
export interface UndoFailure {
  readonly node: string;
  readonly message: string;
}

/**
 * Undoes one recovery entry: calls the action's `undo` with the entry's state. A node undone
 * becomes `compensated`; `NotCompensableError` (or an action without `undo`) is a diagnostic;
 * any other error is thrown for the unwind to collect.
 */
export async function undoEntry(env: RunEnv, scope: Scope, entry: RecoveryEntry): Promise<void> {
  const node = env.ledger.node(entry.node);
  const iteration = scope.iteration === undefined ? {} : { iteration: scope.iteration };
  const action = actionOf(env, entry.action);
  if (!isCompensable(action)) {
    const message = `action "${entry.action}" cannot undo; node "${entry.node}" is left as it is`;
    env.ledger.report({ kind: 'not-compensable', node: entry.node, message });
    await env.hooks.emit('onCompensate', { node, outcome: { kind: 'not-compensable', message }, ...iteration });
    return;
  }
  const context = new NodeContext({
    env,
    scope,
    node,
    order: entry.order,
    signal: env.undoSignal,
    recording: 'ignore',
  });
  try {
    await action.undo(context, entry.undo);
  } catch (error) {
    if (isNotCompensable(error)) {
      env.ledger.report({ kind: 'not-compensable', node: entry.node, message: errorMessage(error) });
      await env.hooks.emit('onCompensate', {
        node,
        outcome: { kind: 'not-compensable', message: errorMessage(error) },
        ...iteration,
      });
      return;
    }
    await env.hooks.emit('onCompensate', { node, outcome: { kind: 'failed', error }, ...iteration });
    throw error;
  }
  env.ledger.markCompensated(node);
  await env.hooks.emit('onCompensate', { node, outcome: { kind: 'compensated' }, ...iteration });
}

/**
 * Unwinds `stack` in reverse start order, recording every failure on the node and in the run's
 * diagnostics. Returns the failures (an empty list means everything registered was undone).
 */
export async function unwindStack(
  env: RunEnv,
  scope: Scope,
  stack: RecoveryStack,
  options: Omit<UnwindOptions, 'signal'> = {},
): Promise<UndoFailure[]> {
  const failures = await stack.unwind((entry) => undoEntry(env, scope, entry), {
    ...options,
    signal: env.undoSignal,
  });
  const recorded = failures.map(({ entry, error }) => {
    const message = errorMessage(error);
    env.ledger.markUndoFailed(env.ledger.node(entry.node), message);
    env.ledger.report({ kind: 'undo-failed', node: entry.node, message });
    return { node: entry.node, message };
  });
  if (env.undoSignal.aborted) {
    // Reported once here and dropped, so that a later unwind of an earlier range does not
    // report them again; their undo state stays on the nodes of the receipt for `recover`.
    for (const entry of stack.discard(options.from)) {
      recorded.push({ node: entry.node, message: 'compensation was cut short before this node' });
    }
  }
  env.ledger.undoFailures.push(...recorded);
  return recorded;
}

/** The `rollback-incomplete` error naming every node left to undo by hand. */
export function rollbackIncomplete(failures: readonly UndoFailure[]): WritLoreError {
  const list = failures.map((failure) => `"${failure.node}" (${failure.message})`).join(', ');
  return new WritLoreError('rollback-incomplete', `rollback incomplete: could not undo ${list}`, {
    hint: 'the receipt records the undo state of every node left; undo them by hand or with `recover`',
  });
}
