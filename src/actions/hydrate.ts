import { WritLoreError } from '../graph/index.js';
import type { Graph } from '../graph/index.js';
import type { ActionRegistry } from './registry.js';
import type { Action } from './types.js';

/** The action of every node of one graph, by node id (what the executor runs). */
export type NodeActions = ReadonlyMap<string, Action>;

/**
 * Binds every node of `graph` to its registered action. A loaded graph names its actions as
 * strings; this is the step that turns those names into something runnable. Every node is
 * checked before anything is returned, so a graph naming one unknown action runs nothing.
 */
export function hydrate(graph: Pick<Graph, 'nodes'>, registry: ActionRegistry): Map<string, Action> {
  const actions = new Map<string, Action>();
  for (const node of graph.nodes) {
    if (!registry.has(node.action)) {
      const suggestion = registry.suggest(node.action);
      throw new WritLoreError(
        'unknown-action',
        `unknown action "${node.action}" on node "${node.id}"`,
        suggestion === undefined
          ? { hint: `known actions: ${registry.names().join(', ')}` }
          : { hint: `did you mean "${suggestion}"?` },
      );
    }
    actions.set(node.id, registry.get(node.action));
  }
  return actions;
}

/** The action hydrated for `nodeId`; a missing entry is a bug in the caller (`internal`). */
export function actionFor(actions: NodeActions, nodeId: string): Action {
  const action = actions.get(nodeId);
  if (action === undefined) {
    throw new WritLoreError('internal', `node "${nodeId}" has no hydrated action`);
  }
  return action;
}
