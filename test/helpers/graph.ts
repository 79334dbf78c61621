import type { Edge, Graph, Node, Phase } from '../../src/graph/index.js';

/** A pending writ graph of `nodes` (fixed timestamp and platform), for tests that build graphs by hand. */
export function pendingGraph(nodes: Node[], edges: Edge[] = [], phases?: Phase[]): Graph {
  return {
    version: '1',
    tool: 'writ',
    timestamp: '2026-01-01T00:00:00.000Z',
    state: 'pending',
    platform: { os: 'linux', arch: 'x64' },
    context: {},
    nodes,
    edges,
    ...(phases === undefined ? {} : { phases }),
  };
}
