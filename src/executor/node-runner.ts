import type { Action, ActionOutput } from '../actions/index.js';
import {
  WritLoreError,
  errorMessage,
  fillSlotsFromData,
  isWritLoreError,
  resolveSlots,
  type Node,
} from '../graph/index.js';
import { NodeContext } from './context.js';
import type { RunEnv, Scope } from './env.js';

/** The action of `node`, or a WritLoreError('unknown-action'). */
export function actionOf(env: RunEnv, name: string): Action {
  const action = env.actions.get(name);
  if (action === undefined) {
    throw new WritLoreError('unknown-action', `no action "${name}" is registered`);
  }
  return action;
}

const namesByAction = new WeakMap<Action, readonly string[]>();

/** Every slot an action understands (required, then optional), computed once per action. */
export function slotNames(action: Action): readonly string[] {
  let names = namesByAction.get(action);
  if (names === undefined) {
    names = [...action.spec.required, ...(action.spec.optional ?? [])];
    namesByAction.set(action, names);
  }
  return names;
}

/**
 * Runs one node in `scope`: resolves its slots (promises from `scope.results`, proxies from the
 * iteration, unset slots from run data), calls `do`, registers returned undo state and records
 * the outcome on the node. Resolves true when the node completed; never rejects.
 */
export async function runNode(env: RunEnv, scope: Scope, node: Node): Promise<boolean> {
  const order = env.ledger.markRunning(node);
  const iteration = scope.iteration === undefined ? {} : { iteration: scope.iteration };
  let action: Action;
  let slots: Record<string, unknown>;
  try {
    action = actionOf(env, node.action);
    const resolved = resolveSlots(node, scope.results, scope.proxyItems);
    slots = fillSlotsFromData(resolved, env.data, slotNames(action));
  } catch (error) {
    // Hooks always see start before complete, even when the inputs could not be resolved.
    if (env.hooks.has('onNodeStart')) await env.hooks.emit('onNodeStart', { node, slots: {}, ...iteration });
    return fail(env, scope, node, error);
  }
  if (env.hooks.has('onNodeStart')) await env.hooks.emit('onNodeStart', { node, slots, ...iteration });
  const context = new NodeContext({ env, scope, node, order, signal: scope.signal, recording: 'record' });
  let output: ActionOutput;
  try {
    output = await action.do(context, slots);
    if (output.undo !== undefined && output.undo !== context.registered) {
      await context.registerUndo(output.undo);
    }
  } catch (error) {
    return fail(env, scope, node, error);
  }
  if (output.result !== undefined) scope.results.set(node.id, output.result);
  env.ledger.markCompleted(node, output);
  if (env.hooks.has('onNodeComplete')) {
    const outcome = { kind: 'completed', result: output.result } as const;
    const pending = env.hooks.emit(
      'onNodeComplete',
      scope.iteration === undefined ? { node, outcome } : { node, outcome, iteration: scope.iteration },
    );
    if (pending !== undefined) await pending;
  }
  return true;
}

async function fail(env: RunEnv, scope: Scope, node: Node, error: unknown): Promise<false> {
  const where = scope.iteration === undefined ? '' : `item ${scope.iteration.index}: `;
  env.ledger.markFailed(node, `${node.action}: ${where}${errorMessage(error)}`);
  scope.failures.set(node.id, error);
  // A flow action whose own cleanup failed leaves work behind: count it as an incomplete rollback.
  if (isWritLoreError(error, 'rollback-incomplete')) {
    env.ledger.undoFailures.push({ node: node.id, message: errorMessage(error) });
  }
  if (env.hooks.has('onNodeComplete')) {
    const iteration = scope.iteration === undefined ? {} : { iteration: scope.iteration };
    await env.hooks.emit('onNodeComplete', { node, outcome: { kind: 'failed', error }, ...iteration });
  }
  return false;
}
