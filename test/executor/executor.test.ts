import { describe, expect, it } from 'vitest';
import { GraphExecutor, TestClock, type ExecutorOptions } from '../../src/executor/index.js';
import { parseGraph, promise, writeGraphYaml, type Graph } from '../../src/graph/index.js';
import { Recorder, flatGraph, memoryBackups, phasedGraph, statuses } from './helpers.js';

function executor(recorder: Recorder, options: Partial<ExecutorOptions> = {}): GraphExecutor {
  return new GraphExecutor(recorder.registry, { backups: memoryBackups, clock: new TestClock(), jobs: 2, ...options });
}

describe('GraphExecutor', () => {
  it('refuses to run a graph that already ran', async () => {
    const recorder = new Recorder();
    const graph = flatGraph([{ id: 'a' }]);
    await executor(recorder).run(graph);
    await expect(executor(recorder).run(graph)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('state: executed') });
  });

  it('refuses an invalid graph with every problem listed', async () => {
    const graph = flatGraph([{ id: 'a', after: ['b'] }, { id: 'b', after: ['a'] }, { id: 'c', action: 'no.such' }]);
    await expect(executor(new Recorder()).run(graph)).rejects.toMatchObject({ code: 'invalid-graph' });
    expect(graph.state).toBe('pending');
  });

  it('validates again unless the caller states the graph comes unchanged from Plan.graph()', async () => {
    // A graph Plan.graph() would have refused (a required slot missing), to see who checks it.
    const recorder = new Recorder();
    recorder.registry.register({ name: 'test.needs', spec: { required: ['x'] }, do: async () => ({}) });
    const graph = () => flatGraph([{ id: 'a', action: 'test.needs' }]);
    for (const validation of [undefined, 'validate'] as const) {
      const options = validation === undefined ? {} : { validation };
      await expect(executor(recorder, options).run(graph())).rejects.toMatchObject({ code: 'invalid-graph' });
    }
    const report = await executor(recorder, { validation: 'validated-by-plan' }).run(graph());
    expect(report.state).toBe('executed');
  });

  describe('nodes skipped before the run (e.g. by a preflight resolution)', () => {
    function preSkip(graph: Graph, id: string): Graph {
      const target = graph.nodes.find((candidate) => candidate.id === id);
      if (target === undefined) throw new Error(`no node ${id}`);
      target.status = 'skipped';
      target.error = 'skipped: conflict (regular file exists)';
      return graph;
    }

    it('runs the rest of a flat graph and skips what depends on them, keeping their reasons', async () => {
      const recorder = new Recorder();
      const graph = preSkip(flatGraph([{ id: 'a' }, { id: 'b', after: ['a'] }, { id: 'c' }, { id: 'd', after: ['b'] }]), 'a');
      const report = await executor(recorder).run(graph);
      expect(report.state).toBe('executed');
      expect(recorder.entries('do')).toEqual(['c']);
      expect(statuses(graph)).toEqual({ a: 'skipped', b: 'skipped', c: 'completed', d: 'skipped' });
      expect(graph.nodes.map((n) => n.error)).toEqual([
        'skipped: conflict (regular file exists)',
        'skipped: depends on skipped node "a"',
        undefined,
        'skipped: depends on skipped node "a"',
      ]);
    });

    it('keeps them skipped across the retries of a phase', async () => {
      const recorder = new Recorder().failOn('y', 'before', 1);
      const graph = preSkip(
        phasedGraph([{ id: 'one', nodes: [{ id: 'x' }, { id: 'y' }], retry: { max_attempts: 2, backoff: 'none' } }]),
        'x',
      );
      const report = await executor(recorder).run(graph);
      expect(report.state).toBe('executed');
      expect(graph.phases?.[0]?.attempts?.map((a) => a.status)).toEqual(['failed', 'completed']);
      expect(recorder.entries('do')).toEqual(['y']); // the first try failed before acting
      expect(statuses(graph)).toEqual({ x: 'skipped', y: 'completed' });
    });

    it('still refuses a node that is running or done in a pending graph', async () => {
      const graph = flatGraph([{ id: 'a' }]);
      (graph.nodes[0] as { status: string }).status = 'completed';
      await expect(executor(new Recorder()).run(graph)).rejects.toMatchObject({ code: 'invalid-input' });
    });
  });

  it('makes the graph the receipt: timestamps, undo, attempts, summary, and it round-trips through the codec', async () => {
    const recorder = new Recorder().failOn('b2');
    const graph = phasedGraph([
      { id: 'one', nodes: [{ id: 'a1' }, { id: 'a2', after: ['a1'], slots: { input: promise('a1') } }], compensate: 'undo-one' },
      { id: 'two', nodes: [{ id: 'b1' }, { id: 'b2', after: ['b1'] }], retry: { max_attempts: 2, backoff: 'none', initial_delay: '1s' } },
      { id: 'undo-one', role: 'compensation', nodes: [{ id: 'c1' }] },
    ]);
    const report = await executor(recorder).run(graph);
    expect(report.graph).toBe(graph);
    expect(graph.state).toBe('rolled_back');
    const a1 = graph.nodes.find((n) => n.id === 'a1');
    expect(a1).toMatchObject({ status: 'compensated', undo: { key: 'a1' }, started_at: '2026-01-01T00:00:00.000Z', finished_at: '2026-01-01T00:00:00.000Z' });
    expect(graph.phases?.find((p) => p.id === 'two')?.attempts).toHaveLength(2);
    expect(graph.rollback?.map((r) => r.phase)).toEqual(['two', 'one']);
    expect(graph.summary).toEqual({ total: 5, by_status: { failed: 1, completed: 1, compensated: 3 }, by_action: { 'test.record': 1 } });
    expect(statuses(graph)).toEqual({ a1: 'compensated', a2: 'compensated', b1: 'compensated', b2: 'failed', c1: 'completed' });
    const reloaded: Graph = parseGraph(writeGraphYaml(graph));
    expect(reloaded).toEqual(graph);
  });

  describe('hooks', () => {
    it('reports a throwing hook in diagnostics and still completes the run', async () => {
      const recorder = new Recorder();
      const report = await executor(recorder, {
        hooks: [{ onNodeStart: () => { throw new Error('display broke'); } }, { onRunEnd: () => Promise.reject(new Error('late')) }],
      }).run(flatGraph([{ id: 'a' }, { id: 'b' }]));
      expect(report.state).toBe('executed');
      expect(report.diagnostics).toEqual([
        { kind: 'hook-failed', hook: 'onNodeStart', message: 'display broke' },
        { kind: 'hook-failed', hook: 'onNodeStart', message: 'display broke' },
        { kind: 'hook-failed', hook: 'onRunEnd', message: 'late' },
      ]);
    });

    it('awaits onUndoRegistered before the action acts (write-ahead)', async () => {
      const recorder = new Recorder();
      const journal: string[] = [];
      const report = await executor(recorder, {
        jobs: 1,
        hooks: [{
          onUndoRegistered: async ({ node }) => {
            await new Promise((resolve) => setImmediate(resolve));
            journal.push(`undo ${node.id} (effects so far: ${recorder.entries('do').join(',') || 'none'})`);
          },
          onRunStart: () => void journal.push('start'),
          onRunEnd: ({ state }) => void journal.push(`end ${state}`),
        }],
      }).run(flatGraph([{ id: 'a' }, { id: 'b', after: ['a'] }]));
      expect(report.state).toBe('executed');
      expect(journal).toEqual(['start', 'undo a (effects so far: none)', 'undo b (effects so far: a)', 'end executed']);
    });

    it.each([
      ['throws', () => { throw new Error('ENOSPC: no space left on device, write'); }],
      ['rejects', () => Promise.reject(new Error('ENOSPC: no space left on device, write'))],
    ])('fails the node before it acts when onUndoRegistered %s (the journal could not record it)', async (_how, failing) => {
      const recorder = new Recorder();
      let registrations = 0;
      const report = await executor(recorder, {
        jobs: 1,
        hooks: [{ onUndoRegistered: () => (registrations++ === 1 ? failing() : undefined) }],
      }).run(flatGraph([{ id: 'a' }, { id: 'b', after: ['a'] }, { id: 'c', after: ['b'] }]));
      expect(report.state).toBe('rolled_back');
      expect(recorder.entries('do')).toEqual(['a']);
      expect(recorder.applied.size).toBe(0);
      expect(statuses(report.graph)).toMatchObject({ a: 'compensated', b: 'failed', c: 'skipped' });
      expect(report.graph.nodes.find((n) => n.id === 'b')?.error).toMatch(/could not record .*ENOSPC/u);
      expect(report.diagnostics).toContainEqual({ kind: 'hook-failed', hook: 'onUndoRegistered', message: 'ENOSPC: no space left on device, write' });
    });
  });

  describe('cancellation', () => {
    it('stops scheduling, aborts in-flight actions, compensates and ends rolled_back', async () => {
      const recorder = new Recorder();
      const controller = new AbortController();
      recorder.gate('slow');
      const graph = flatGraph([{ id: 'a' }, { id: 'slow', after: ['a'] }, { id: 'b', after: ['a'] }, { id: 'c', after: ['slow'] }]);
      const run = executor(recorder, { signal: controller.signal, jobs: 2 }).run(graph);
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      const report = await run;
      expect(report.state).toBe('rolled_back');
      expect(statuses(report.graph)).toEqual({ a: 'compensated', slow: 'failed', b: 'compensated', c: 'skipped' });
      expect(report.graph.nodes.find((n) => n.id === 'c')?.error).toBe('skipped: depends on failed node "slow"');
      expect(recorder.applied.size).toBe(0);
      expect(report.errors.map((e) => e.code)).toContain('cancelled');
    });

    it('ends interrupted when compensation is cut short, naming what is left', async () => {
      const recorder = new Recorder();
      const controller = new AbortController();
      const cut = new AbortController();
      recorder.gate('slow');
      const graph = flatGraph([{ id: 'a' }, { id: 'b', after: ['a'] }, { id: 'slow', after: ['b'] }]);
      const run = executor(recorder, {
        signal: controller.signal,
        compensationSignal: cut.signal,
        hooks: [{ onCompensate: () => cut.abort() }],
      }).run(graph);
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      const report = await run;
      expect(report.state).toBe('interrupted');
      expect(recorder.entries('undo')).toEqual(['b']);
      expect(report.errors.find((e) => e.code === 'rollback-incomplete')?.message).toContain('"a"');
    });

    it('cancels a phased run mid-phase under policy stop and still compensates', async () => {
      const recorder = new Recorder();
      const controller = new AbortController();
      recorder.gate('b');
      const graph = phasedGraph([
        { id: 'one', nodes: [{ id: 'a' }], compensate: 'undo-one' },
        { id: 'two', nodes: [{ id: 'b' }, { id: 'c', after: ['b'] }] },
        { id: 'undo-one', role: 'compensation', nodes: [{ id: 'u' }] },
      ]);
      const run = executor(recorder, { signal: controller.signal, policy: 'stop' }).run(graph);
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      const report = await run;
      expect(report.state).toBe('rolled_back');
      expect(recorder.log).toEqual(['do:a', 'do:u', 'undo:a']);
      expect(statuses(graph)).toEqual({ a: 'compensated', b: 'failed', c: 'skipped', u: 'completed' });
    });

    it('cancels a phased run during a retry wait and rolls back', async () => {
      const recorder = new Recorder().failOn('b');
      const controller = new AbortController();
      const graph = phasedGraph([
        { id: 'one', nodes: [{ id: 'a' }] },
        { id: 'two', nodes: [{ id: 'b' }], retry: { max_attempts: 5, backoff: 'none', initial_delay: '1s' } },
        { id: 'three', nodes: [{ id: 'c' }] },
      ]);
      const report = await executor(recorder, { signal: controller.signal, hooks: [{ onRetry: () => controller.abort() }] }).run(graph);
      expect(report.state).toBe('rolled_back');
      expect(graph.phases?.map((p) => p.status)).toEqual(['rolled_back', 'failed', 'skipped']);
      expect(recorder.entries('undo')).toEqual(['a']);
      expect(graph.phases?.[1]?.attempts).toHaveLength(1);
    });
  });
});
