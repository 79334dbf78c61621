import { describe, expect, it } from 'vitest';
import { blockedBy, schedule } from '../../src/executor/scheduler.js';
import type { Node } from '../../src/graph/index.js';
import { edgesOf, flatGraph, type NodeSpec } from './helpers.js';

const specs: NodeSpec[] = [
  { id: 'a' },
  { id: 'b', after: ['a'] },
  { id: 'c', after: ['b'] },
  { id: 'd' },
  { id: 'e', after: ['d'] },
];

async function run(policy: 'halt' | 'continue', failing: string, jobs = 1) {
  const order: string[] = [];
  const outcome = await schedule({
    nodes: flatGraph(specs).nodes,
    edges: edgesOf(specs),
    jobs,
    policy,
    run: (node: Node) => {
      order.push(node.id);
      return Promise.resolve(node.id !== failing);
    },
  });
  return { order, failed: outcome.failed, notStarted: outcome.notStarted.map((n) => n.id) };
}

describe('schedule', () => {
  it('halts after a failure: nothing new starts', async () => {
    expect(await run('halt', 'b')).toEqual({ order: ['a', 'b'], failed: ['b'], notStarted: ['c', 'd', 'e'] });
  });

  it('continues past a failure with everything that does not depend on it', async () => {
    expect(await run('continue', 'b')).toEqual({ order: ['a', 'b', 'd', 'e'], failed: ['b'], notStarted: ['c'] });
  });

  it('starts nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await schedule({ nodes: flatGraph(specs).nodes, edges: [], jobs: 2, policy: 'halt', signal: controller.signal, run: () => Promise.resolve(true) });
    expect(outcome.notStarted).toHaveLength(5);
  });

  it('never starts a node skipped before the run, even once its predecessors completed', async () => {
    const nodes = flatGraph(specs).nodes.map((node) => (node.id === 'b' || node.id === 'd' ? { ...node, status: 'skipped' as const } : node));
    const order: string[] = [];
    const outcome = await schedule({
      nodes,
      edges: edgesOf(specs),
      jobs: 1,
      policy: 'halt',
      run: (node: Node) => {
        order.push(node.id);
        return Promise.resolve(true);
      },
    });
    // b waits for a and d is a root: neither runs, nor what waits for them.
    expect(order).toEqual(['a']);
    expect(outcome.notStarted.map((node) => node.id)).toEqual(['c', 'e']);
  });

  it('lets the event loop run during a long stretch of steps that never wait on I/O, so an abort lands', async () => {
    // Steps that resolve at once chain only microtasks: without a pause now and then, a signal
    // handler or timer would run only after the last step.
    const nodes = flatGraph(Array.from({ length: 4000 }, (_, i) => ({ id: `n${i}` }))).nodes;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    let ran = 0;
    const outcome = await schedule({
      nodes,
      edges: [],
      jobs: 4,
      policy: 'halt',
      signal: controller.signal,
      run: () => {
        ran += 1;
        const until = performance.now() + 0.05;
        while (performance.now() < until); // 50 µs of work, ~200 ms in all
        return Promise.resolve(true);
      },
    });
    expect(outcome.notStarted.length).toBeGreaterThan(2000);
    expect(ran + outcome.notStarted.length).toBe(4000);
  });

  it('resolves at once for no nodes', async () => {
    expect(await schedule({ nodes: [], edges: [], jobs: 1, policy: 'halt', run: () => Promise.resolve(true) })).toEqual({ failed: [], notStarted: [] });
  });
});

describe('blockedBy', () => {
  it('names, for each transitive dependent, the failed node it waits for', () => {
    const graph = flatGraph([...specs, { id: 'f', after: ['c', 'e'] }]);
    expect(Object.fromEntries(blockedBy(['b', 'd'], graph.nodes, graph.edges))).toEqual({ c: 'b', f: 'b', e: 'd' });
  });
});
