import { WritLoreError, errorMessage, type JsonValue } from '../../graph/index.js';
import type { ActionContext } from '../types.js';
import type { BodyUndo, FlowRuntime } from './runtime.js';

/** The executor's flow runtime, or an error saying this context cannot run bodies. */
export function runtimeOf(ctx: ActionContext, action: string): FlowRuntime {
  if (ctx.flow === undefined) {
    throw new WritLoreError('internal', `${action} needs an executor that runs body phases (ctx.flow is not set)`);
  }
  return ctx.flow;
}

/** Checks that a body phase named by a slot exists. */
export function requirePhase(runtime: FlowRuntime, id: string, slot: string, nodeId: string): void {
  if (!runtime.hasPhase(id)) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "${slot}" names unknown phase "${id}"`);
  }
}

/** Reads a list of body undo states back from a flow action's undo state. */
export function bodyUndos(state: JsonValue, action: string): readonly BodyUndo[] {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return invalid(action);
  const runs = (state as { readonly runs?: unknown }).runs;
  if (!Array.isArray(runs)) return invalid(action);
  return runs as readonly BodyUndo[];
}

function invalid(action: string): never {
  throw new WritLoreError('invalid-input', `${action}: undo state is not { runs: [...] }`);
}

/** Undoes body runs last first; every run is tried, then one error lists what failed. */
export async function undoRuns(runtime: FlowRuntime, runs: readonly BodyUndo[], action: string): Promise<void> {
  const errors: string[] = [];
  for (const run of [...runs].reverse()) {
    try {
      await runtime.undoBody(run);
    } catch (error) {
      errors.push(errorMessage(error));
    }
  }
  if (errors.length > 0) {
    throw new WritLoreError('rollback-incomplete', `${action}: ${errors.join('; ')}`);
  }
}
