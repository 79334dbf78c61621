import { describe, expect, it } from 'vitest';
import { gatherAction } from '../../../src/actions/index.js';
import { GraphExecutor, TestClock, type ExecutorOptions } from '../../../src/executor/index.js';
import { immediate, promise, proxy, type Graph } from '../../../src/graph/index.js';
import { Recorder, memoryBackups, phasedGraph, statuses, type NodeSpec } from '../../executor/helpers.js';

function executor(recorder: Recorder, options: Partial<ExecutorOptions> = {}): GraphExecutor {
  return new GraphExecutor(recorder.registry, { backups: memoryBackups, clock: new TestClock(), jobs: 1, ...options });
}

/** main: [list] → g (gather over list's result) → after; body "each": w1 → w2, both tagged by item. */
function gatherGraph(items: unknown[], limit = 1, extra: NodeSpec[] = []): Graph {
  return phasedGraph([
    {
      id: 'main',
      nodes: [
        { id: 'list', slots: { value: immediate(items as never) } },
        { id: 'g', action: 'flow.gather', after: ['list'], slots: { items: promise('list'), body: immediate('each'), limit: immediate(limit) } },
        { id: 'after', after: ['g'], slots: { input: promise('g') } },
        ...extra,
      ],
    },
    {
      id: 'each',
      role: 'body',
      nodes: [
        { id: 'w1', slots: { tag: proxy('g', 'name'), value: proxy('g', 'name') } },
        { id: 'w2', after: ['w1'], slots: { tag: proxy('g', 'name'), value: promise('w1') } },
      ],
    },
  ]);
}

const items = [{ name: 'x' }, { name: 'y' }, { name: 'z' }];

describe('flow.gather', () => {
  it('runs the body once per item with proxies bound, results in item order', async () => {
    const recorder = new Recorder();
    const seen: unknown[] = [];
    const report = await executor(recorder, { hooks: [{ onNodeComplete: ({ node, outcome }) => void (node.id === 'after' && seen.push(outcome)) }] }).run(gatherGraph(items));
    expect(report.state).toBe('executed');
    expect(recorder.entries('do')).toEqual(['list', 'w1[x]', 'w2[x]', 'w1[y]', 'w2[y]', 'w1[z]', 'w2[z]', 'after']);
    expect(seen).toEqual([{ kind: 'completed', result: ['x', 'y', 'z'] }]);
    expect(statuses(report.graph)).toEqual({ list: 'completed', g: 'completed', after: 'completed', w1: 'completed', w2: 'completed' });
    const undo = report.graph.nodes.find((n) => n.id === 'g')?.undo as { runs: { index: number; entries: { node: string }[] }[] };
    expect(undo.runs.map((run) => [run.index, run.entries.map((e) => e.node)])).toEqual([[0, ['w1', 'w2']], [1, ['w1', 'w2']], [2, ['w1', 'w2']]]);
  });

  it('keeps results in item order when items finish out of order under a limit', async () => {
    const recorder = new Recorder();
    const report = await executor(recorder, { jobs: 4 }).run(gatherGraph([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }], 3));
    expect(report.state).toBe('executed');
    const after = report.graph.nodes.find((n) => n.id === 'after');
    expect(after?.status).toBe('completed');
    expect(recorder.log.filter((l) => l.startsWith('do:w2'))).toHaveLength(5);
    expect(recorder.maxRunning).toBeLessThanOrEqual(3);
  });

  it('returns [] for no items without running the body', async () => {
    const recorder = new Recorder();
    const report = await executor(recorder).run(gatherGraph([]));
    expect(report.state).toBe('executed');
    expect(recorder.entries('do')).toEqual(['list', 'after']);
  });

  it('on a failing item undoes that item and every completed one, then the run rolls back', async () => {
    const recorder = new Recorder().failOn('w2[y]');
    const report = await executor(recorder).run(gatherGraph(items));
    expect(report.state).toBe('rolled_back');
    expect(recorder.log).toEqual([
      'do:list',
      'do:w1[x]', 'do:w2[x]',
      'do:w1[y]', 'undo:w1[y]',
      'undo:w2[x]', 'undo:w1[x]',
      'undo:list',
    ]);
    expect(recorder.applied.size).toBe(0);
    const g = report.graph.nodes.find((n) => n.id === 'g');
    expect(g?.status).toBe('failed');
    expect(g?.error).toContain('gather: item 1 failed');
    expect(statuses(report.graph)).toMatchObject({ w1: 'compensated', w2: 'failed', after: 'skipped', list: 'compensated' });
  });

  it('with a limit, stops starting items after a failure, lets in-flight ones finish and undoes them', async () => {
    const recorder = new Recorder().failOn('w1[a]');
    const held = recorder.gate('w1');
    const run = executor(recorder, { jobs: 2 }).run(gatherGraph([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }], 2));
    await new Promise((resolve) => setImmediate(resolve));
    held.resolve();
    const report = await run;
    expect(report.state).toBe('rolled_back');
    // Items a and b start together; a fails, b's in-flight w1 finishes, b starts nothing more,
    // c and d never start; b's completed node is undone.
    expect(recorder.entries('do')).toEqual(['list', 'w1[b]']);
    expect(recorder.entries('undo')).toEqual(['w1[b]', 'list']);
    expect(recorder.log.filter((line) => /\[(c|d)\]/u.test(line))).toEqual([]);
    expect(report.graph.nodes.find((n) => n.id === 'g')?.error).toContain('item 0 failed');
  });

  it('reports an undo that fails during its own cleanup and ends the run interrupted', async () => {
    const recorder = new Recorder().failOn('w2[y]').failUndoOn('w1');
    const report = await executor(recorder).run(gatherGraph(items));
    expect(report.state).toBe('interrupted');
    expect(recorder.entries('undo')).toEqual(['w1[y]', 'w2[x]', 'w1[x]', 'list']);
    expect(report.errors.find((e) => e.code === 'rollback-incomplete')?.message).toContain('"w1"');
    expect(report.graph.nodes.find((n) => n.id === 'w1')?.error).toContain('undo failed');
  });

  it('fires node hooks for body nodes with the iteration', async () => {
    const recorder = new Recorder();
    const started: string[] = [];
    await executor(recorder, {
      hooks: [{ onNodeStart: ({ node, iteration }) => void started.push(iteration === undefined ? node.id : `${node.id}@${iteration.flow}#${iteration.index}`) }],
    }).run(gatherGraph(items.slice(0, 2)));
    expect(started).toEqual(['list', 'g', 'w1@g#0', 'w2@g#0', 'w1@g#1', 'w2@g#1', 'after']);
  });

  it('undoes every item in reverse when a later node fails', async () => {
    const recorder = new Recorder().failOn('late');
    const report = await executor(recorder).run(gatherGraph(items.slice(0, 2), 1, [{ id: 'late', after: ['after'] }]));
    expect(report.state).toBe('rolled_back');
    expect(recorder.entries('undo')).toEqual(['after', 'w2[y]', 'w1[y]', 'w2[x]', 'w1[x]', 'list']);
    expect(statuses(report.graph)).toMatchObject({ g: 'compensated', w1: 'compensated', w2: 'compensated' });
  });

  it('runs nested gathers with both proxies bound', async () => {
    const recorder = new Recorder();
    const graph = phasedGraph([
      { id: 'main', nodes: [{ id: 'outer', action: 'flow.gather', slots: { items: immediate(['a', 'b']), body: immediate('rows') } }] },
      {
        id: 'rows',
        role: 'body',
        nodes: [{ id: 'inner', action: 'flow.gather', slots: { items: immediate([1, 2]), body: immediate('cells') } }],
      },
      { id: 'cells', role: 'body', nodes: [{ id: 'cell', slots: { tag: proxy('inner'), value: proxy('outer') } }] },
    ]);
    const report = await executor(recorder).run(graph);
    expect(report.state).toBe('executed');
    expect(recorder.entries('do')).toEqual(['cell[1]', 'cell[2]', 'cell[1]', 'cell[2]']);
    expect(statuses(report.graph)).toEqual({ outer: 'completed', inner: 'completed', cell: 'completed' });
  });

  it.each([
    [{ items: 'nope', body: 'each' }, 'slot "items" must be an array'],
    [{ items: [], body: 'each', limit: 0 }, 'slot "limit" must be a whole number'],
    [{ items: [1], body: 'each' }, 'ctx.flow is not set'],
  ])('rejects bad input %j', async (slots, message) => {
    const ctx = { nodeId: 'g', signal: new AbortController().signal, registerUndo: () => Promise.resolve() };
    await expect(gatherAction.do(ctx as never, slots)).rejects.toThrow(message);
  });
});
