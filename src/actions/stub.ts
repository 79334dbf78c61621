import { WritLoreError } from '../graph/index.js';
import type { Action, ActionOutput, CompensableAction } from './types.js';

/** An action standing in for a name read from a document, before the graph is hydrated. */
export interface StubAction extends CompensableAction {
  readonly stub: true;
}

function notExecutable(name: string): WritLoreError {
  return new WritLoreError(
    'unknown-action',
    `action "${name}" is a stub from a loaded document; hydrate the graph first`,
    { hint: 'call hydrate(graph, registry) before running or undoing a loaded graph' },
  );
}

/**
 * A placeholder for the action `name` of a deserialised receipt or plan: it remembers the name
 * (and accepts any slots) but refuses to run or undo until replaced by the registered action.
 */
export function stubAction(name: string): StubAction {
  return {
    name,
    stub: true,
    spec: { required: [] },
    do(): Promise<ActionOutput> {
      return Promise.reject(notExecutable(name));
    },
    undo(): Promise<void> {
      return Promise.reject(notExecutable(name));
    },
  };
}

/** True when `action` is a {@link stubAction} placeholder. */
export function isStubAction(action: Action): action is StubAction {
  return (action as Partial<StubAction>).stub === true;
}
