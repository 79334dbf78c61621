import { describe, expect, it } from 'vitest';
import { NODE_STATUSES, computeSummary } from '../../src/graph/index.js';
import type { Node, NodeStatus } from '../../src/graph/index.js';

const node = (id: string, action: string, status: NodeStatus): Node => ({ id, action, status, slots: {} });

describe('computeSummary', () => {
  it('counts nothing in an empty graph', () => {
    expect(computeSummary({ nodes: [] })).toEqual({ total: 0, by_status: {}, by_action: {} });
  });

  it('counts nodes by status and completed nodes by action', () => {
    const nodes = [
      node('a', 'file.link', 'completed'),
      node('b', 'file.link', 'completed'),
      node('c', 'file.copy', 'completed'),
      node('d', 'file.copy', 'failed'),
      node('e', 'template.render', 'skipped'),
      node('f', 'file.link', 'pending'),
      node('g', 'file.write', 'compensated'),
    ];
    expect(computeSummary({ nodes })).toEqual({
      total: 7,
      by_status: { pending: 1, completed: 3, skipped: 1, failed: 1, compensated: 1 },
      by_action: { 'file.copy': 1, 'file.link': 2 },
    });
  });

  it('orders statuses as NODE_STATUSES and actions by name, whatever the node order', () => {
    const nodes = [...NODE_STATUSES].reverse().map((status, i) => node(`n${i}`, `z${i}.act`, status));
    nodes.push(node('x', 'a.act', 'completed'), node('y', 'm.act', 'completed'));
    const summary = computeSummary({ nodes });
    expect(Object.keys(summary.by_status)).toEqual([...NODE_STATUSES]);
    expect(Object.keys(summary.by_action)).toEqual(['a.act', 'm.act', `z${NODE_STATUSES.length - 1 - NODE_STATUSES.indexOf('completed')}.act`]);
  });

  it('recomputes from scratch after statuses change', () => {
    const nodes = [node('a', 'file.link', 'completed'), node('b', 'file.link', 'pending')];
    const graph = { nodes };
    expect(computeSummary(graph).by_action).toEqual({ 'file.link': 1 });
    nodes[0]!.status = 'compensated';
    nodes[1]!.status = 'completed';
    const again = computeSummary(graph);
    expect(again).toEqual({ total: 2, by_status: { completed: 1, compensated: 1 }, by_action: { 'file.link': 1 } });
    expect(computeSummary(graph)).toEqual(again);
  });
});
