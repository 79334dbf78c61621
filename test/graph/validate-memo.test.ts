import { describe, expect, it } from 'vitest';
import { WritLoreError, assertValidGraph, immediate } from '../../src/graph/index.js';
import type { ActionCatalog, ActionSpec, Graph, Node, Slots } from '../../src/graph/index.js';
import { pendingGraph } from '../helpers/graph.js';

const writeSpec: ActionSpec = { required: ['path'], writes: ['path'] };

/** A catalog that counts its look-ups: validation asks once per node, the memo once per action. */
function countingCatalog(spec: ActionSpec = writeSpec): ActionCatalog & { calls: number } {
  const catalog = {
    calls: 0,
    spec(name: string): ActionSpec | undefined {
      catalog.calls += 1;
      return name === 'test.write' ? spec : undefined;
    },
  };
  return catalog;
}

const writer = (id: string, path: string): Node => ({ id, action: 'test.write', status: 'pending', slots: { path: immediate(path) } });

function writers(count: number): Graph {
  return pendingGraph(Array.from({ length: count }, (_, index) => writer(`w${index}`, `/t/${index}`)));
}

function assertThrowsInvalid(graph: Graph, catalog?: ActionCatalog, provided?: readonly string[]): WritLoreError {
  try {
    assertValidGraph(graph, { ...(catalog === undefined ? {} : { catalog }), ...(provided === undefined ? {} : { provided }) });
  } catch (error) {
    expect(error).toBeInstanceOf(WritLoreError);
    expect((error as WritLoreError).code).toBe('invalid-graph');
    return error as WritLoreError;
  }
  throw new Error('the graph was accepted');
}

describe('assertValidGraph on a graph it already found valid', () => {
  it('does not run the checks again when nothing they read has changed', () => {
    const graph = writers(50);
    const catalog = countingCatalog();
    assertValidGraph(graph, { catalog });
    const first = catalog.calls;
    expect(first).toBeGreaterThanOrEqual(50);
    assertValidGraph(graph, { catalog, provided: ['extra'] });
    expect(catalog.calls - first).toBe(1); // the memo's one look-up for the one action
  });

  it('checks again when a slot was changed in place after validation', () => {
    const graph = writers(3);
    const catalog = countingCatalog();
    assertValidGraph(graph, { catalog });
    const slots = graph.nodes[2]?.slots as Record<string, Slots[string]>;
    slots['path'] = immediate('/t/0');
    expect(assertThrowsInvalid(graph, catalog).message).toContain('both write "/t/0"');
  });

  it('checks again when a node or an edge was added', () => {
    const graph = writers(2);
    const catalog = countingCatalog();
    assertValidGraph(graph, { catalog });
    graph.nodes.push(writer('w0', '/t/9'));
    expect(assertThrowsInvalid(graph, catalog).message).toContain('duplicate node id "w0"');
    graph.nodes.pop();
    assertValidGraph(graph, { catalog });
    graph.edges.push({ from: 'w0', to: 'nowhere', kind: 'order' });
    expect(assertThrowsInvalid(graph, catalog).message).toContain('unknown node "nowhere"');
  });

  it('checks again against another catalog or fewer provided names', () => {
    const graph = pendingGraph([{ id: 'n', action: 'test.write', status: 'pending', slots: {} }]);
    const catalog = countingCatalog();
    assertValidGraph(graph, { catalog, provided: ['path'] });
    expect(assertThrowsInvalid(graph, catalog).message).toContain('missing required slot "path"');
    expect(assertThrowsInvalid(graph, countingCatalog({ required: ['path', 'mode'] }), ['path']).message).toContain('"mode"');
  });

  it('checks again when an immediate object value was changed in place', () => {
    const branches = [{ when: { equals: 'a' }, phase: 'p1' }];
    const body = { id: 'p1', name: 'p1', status: 'pending' as const, role: 'body' as const, nodes: [] };
    const main = { id: 'main', name: 'main', status: 'pending' as const, nodes: ['c'] };
    const choose: Node = { id: 'c', action: 'flow.choose', status: 'pending', phase: 'main', slots: { value: immediate('a'), branches: immediate(branches) } };
    const graph = pendingGraph([choose], [], [main, body]);
    assertValidGraph(graph);
    branches[0] = { when: { equals: 'a' }, phase: 'nowhere' };
    expect(assertThrowsInvalid(graph).message).toContain('nowhere');
  });
});
