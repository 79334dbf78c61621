import type { Graph, NodeStatus, Summary } from './types.js';
import { NODE_STATUSES } from './types.js';

/**
 * Counts a graph's nodes from scratch: the total, nodes per status (only statuses that occur,
 * in {@link NODE_STATUSES} order) and completed nodes per action (sorted by action name), so
 * the same graph always yields the same, deterministically ordered summary.
 */
export function computeSummary(graph: Pick<Graph, 'nodes'>): Summary {
  const statuses = new Map<NodeStatus, number>();
  const actions = new Map<string, number>();
  for (const node of graph.nodes) {
    statuses.set(node.status, (statuses.get(node.status) ?? 0) + 1);
    if (node.status === 'completed') actions.set(node.action, (actions.get(node.action) ?? 0) + 1);
  }
  const byStatus: Partial<Record<NodeStatus, number>> = {};
  for (const status of NODE_STATUSES) {
    const count = statuses.get(status);
    if (count !== undefined) byStatus[status] = count;
  }
  const names = [...actions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    total: graph.nodes.length,
    by_status: byStatus,
    by_action: Object.fromEntries(names.map((name) => [name, actions.get(name) ?? 0])),
  };
}
