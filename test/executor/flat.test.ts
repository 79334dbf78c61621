import { describe, expect, it } from 'vitest';
import { GraphExecutor, TestClock, type ExecutorOptions } from '../../src/executor/index.js';
import { promise } from '../../src/graph/index.js';
import { Recorder, flatGraph, memoryBackups, statuses, type NodeSpec } from './helpers.js';

function executor(recorder: Recorder, options: Partial<ExecutorOptions> = {}): GraphExecutor {
  return new GraphExecutor(recorder.registry, { backups: memoryBackups, clock: new TestClock(), jobs: 4, ...options });
}

const diamond: NodeSpec[] = [
  { id: 'a' },
  { id: 'b', after: ['a'] },
  { id: 'c', after: ['a'] },
  { id: 'd', after: ['b', 'c'] },
];

describe('flat run', () => {
  it('runs a diamond with every node after its predecessors and ends executed', async () => {
    const recorder = new Recorder();
    const report = await executor(recorder).run(flatGraph(diamond));
    expect(report.state).toBe('executed');
    expect(report.errors).toEqual([]);
    const order = recorder.entries('do');
    expect(order[0]).toBe('a');
    expect(order[3]).toBe('d');
    expect(statuses(report.graph)).toEqual({ a: 'completed', b: 'completed', c: 'completed', d: 'completed' });
    expect(report.graph.summary).toMatchObject({ total: 4, by_status: { completed: 4 } });
  });

  it('runs nodes in stable topological order with jobs 1, the same every time', async () => {
    const specs: NodeSpec[] = [
      { id: 'e' },
      { id: 'a' },
      { id: 'd', after: ['a'] },
      { id: 'b', after: ['e'] },
      { id: 'c' },
    ];
    const orders = [];
    for (let i = 0; i < 3; i += 1) {
      const recorder = new Recorder();
      await executor(recorder, { jobs: 1 }).run(flatGraph(specs));
      orders.push(recorder.entries('do'));
    }
    expect(orders[0]).toEqual(['e', 'a', 'd', 'b', 'c']);
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  });

  it('never runs more than jobs nodes at once', async () => {
    const recorder = new Recorder();
    const specs = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}` }));
    const gates = specs.map((spec) => recorder.gate(spec.id));
    const run = executor(recorder, { jobs: 3 }).run(flatGraph(specs));
    for (const gate of gates) {
      await new Promise((resolve) => setImmediate(resolve));
      gate.resolve();
    }
    expect((await run).state).toBe('executed');
    expect(recorder.maxRunning).toBe(3);
  });

  it('feeds promise slots from upstream results and unset slots from run data', async () => {
    const recorder = new Recorder();
    const graph = flatGraph([
      { id: 'a', slots: { value: { kind: 'immediate', value: { greeting: 'hi' } } } },
      { id: 'b', after: ['a'], slots: { input: promise('a', 'greeting') } },
      { id: 'c', after: ['b'], slots: { value: promise('b') } },
    ]);
    const seen: unknown[] = [];
    const report = await executor(recorder, {
      data: { tag: 'from-data' },
      hooks: [{ onNodeStart: ({ node, slots }) => void seen.push([node.id, slots]) }],
    }).run(graph);
    expect(report.state).toBe('executed');
    expect(seen).toEqual([
      ['a', { value: { greeting: 'hi' }, tag: 'from-data' }],
      ['b', { input: 'hi', tag: 'from-data' }],
      ['c', { value: 'hi', tag: 'from-data' }],
    ]);
  });

  describe('policy rollback', () => {
    it('stops, skips dependents with the reason, and undoes in reverse start order', async () => {
      const recorder = new Recorder().failOn('b');
      const report = await executor(recorder, { jobs: 1 }).run(flatGraph(diamond));
      expect(report.state).toBe('rolled_back');
      expect(statuses(report.graph)).toEqual({ a: 'compensated', b: 'failed', c: 'skipped', d: 'skipped' });
      const byId = new Map(report.graph.nodes.map((n) => [n.id, n]));
      expect(byId.get('b')?.error).toContain('b failed on purpose');
      expect(byId.get('d')?.error).toBe('skipped: depends on failed node "b"');
      expect(byId.get('c')?.error).toBe('skipped: run stopped after node "b" failed');
      expect(recorder.entries('undo')).toEqual(['a']);
      expect(report.errors.map((e) => e.code)).toEqual(['action-failed']);
    });

    it('lets in-flight nodes of a wide level finish, then undoes them all, latest start first', async () => {
      const recorder = new Recorder();
      const specs: NodeSpec[] = [
        { id: 'root' },
        ...['w1', 'w2', 'w3', 'w4'].map((id) => ({ id, after: ['root'] })),
        { id: 'tail', after: ['w1', 'w2', 'w3', 'w4'] },
      ];
      recorder.failOn('w2');
      const hold = ['w1', 'w3', 'w4'].map((id) => recorder.gate(id));
      const run = executor(recorder, { jobs: 4 }).run(flatGraph(specs));
      await new Promise((resolve) => setImmediate(resolve));
      for (const gate of hold) gate.resolve();
      const report = await run;
      expect(report.state).toBe('rolled_back');
      expect(statuses(report.graph)).toMatchObject({ root: 'compensated', w1: 'compensated', w2: 'failed', w3: 'compensated', w4: 'compensated', tail: 'skipped' });
      expect(recorder.entries('undo')).toEqual(['w4', 'w3', 'w1', 'root']);
    });

    it('undoes a node that failed after registering undo (half-done)', async () => {
      const recorder = new Recorder().failOn('b', 'after');
      const report = await executor(recorder, { jobs: 1 }).run(flatGraph([{ id: 'a' }, { id: 'b', after: ['a'] }]));
      expect(report.state).toBe('rolled_back');
      expect(recorder.entries('undo')).toEqual(['b', 'a']);
      expect(recorder.applied.size).toBe(0);
      expect(statuses(report.graph)).toEqual({ a: 'compensated', b: 'failed' });
    });

    it('reports an undo that throws, goes on with the others and ends interrupted', async () => {
      const recorder = new Recorder().failOn('c').failUndoOn('b');
      const report = await executor(recorder, { jobs: 1 }).run(flatGraph([{ id: 'a' }, { id: 'b', after: ['a'] }, { id: 'c', after: ['b'] }]));
      expect(report.state).toBe('interrupted');
      expect(recorder.entries('undo')).toEqual(['b', 'a']);
      expect(statuses(report.graph)).toEqual({ a: 'compensated', b: 'completed', c: 'failed' });
      expect(report.graph.nodes[1]?.error).toContain('undo failed: undo of b failed on purpose');
      const incomplete = report.errors.find((e) => e.code === 'rollback-incomplete');
      expect(incomplete?.message).toContain('"b"');
      expect(report.diagnostics).toContainEqual({ kind: 'undo-failed', node: 'b', message: 'undo of b failed on purpose' });
    });

    it('logs a not-compensable node as a diagnostic and keeps unwinding', async () => {
      const recorder = new Recorder().failOn('c');
      const graph = flatGraph([{ id: 'a' }, { id: 'b', after: ['a'], action: 'test.plain' }, { id: 'c', after: ['b'] }]);
      const report = await executor(recorder, { jobs: 1 }).run(graph);
      expect(report.state).toBe('rolled_back');
      expect(recorder.entries('undo')).toEqual(['a']);
      expect(statuses(report.graph)).toEqual({ a: 'compensated', b: 'completed', c: 'failed' });
      expect(report.diagnostics.map((d) => d.kind)).toEqual(['not-compensable']);
    });
  });

  describe('policy continue', () => {
    it('runs everything that does not depend on the failure and rolls nothing back', async () => {
      const recorder = new Recorder().failOn('b');
      const specs: NodeSpec[] = [...diamond, { id: 'x' }, { id: 'y', after: ['x'] }, { id: 'z', after: ['d'] }];
      const report = await executor(recorder, { policy: 'continue', jobs: 1 }).run(flatGraph(specs));
      expect(report.state).toBe('failed');
      expect(statuses(report.graph)).toEqual({ a: 'completed', b: 'failed', c: 'completed', d: 'skipped', x: 'completed', y: 'completed', z: 'skipped' });
      expect(report.graph.nodes.find((n) => n.id === 'z')?.error).toBe('skipped: depends on failed node "b"');
      expect(recorder.entries('undo')).toEqual([]);
    });
  });

  describe('policy stop', () => {
    it('stops and leaves the rest pending without rollback', async () => {
      const recorder = new Recorder().failOn('b');
      const report = await executor(recorder, { policy: 'stop', jobs: 1 }).run(flatGraph(diamond));
      expect(report.state).toBe('failed');
      expect(statuses(report.graph)).toEqual({ a: 'completed', b: 'failed', c: 'pending', d: 'pending' });
      expect(recorder.entries('undo')).toEqual([]);
    });
  });
});

describe('flat run inputs', () => {
  it('fails a node whose promise has no result, with start and complete hooks paired', async () => {
    const recorder = new Recorder();
    const events: string[] = [];
    const report = await executor(recorder, {
      jobs: 1,
      hooks: [{ onNodeStart: ({ node }) => void events.push(`start ${node.id}`), onNodeComplete: ({ node, outcome }) => void events.push(`${outcome.kind} ${node.id}`) }],
    }).run(flatGraph([{ id: 'a', slots: { value: { kind: 'immediate', value: { x: 1 } } } }, { id: 'b', after: ['a'], slots: { input: promise('a', 'missing') } }]));
    expect(report.state).toBe('rolled_back');
    expect(events).toEqual(['start a', 'completed a', 'start b', 'failed b']);
    expect(report.graph.nodes[1]?.error).toBe('test.record: node "b" slot "input": the result of node "a" has no field "missing"');
  });
});
