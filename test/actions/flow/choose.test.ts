import { describe, expect, it } from 'vitest';
import { GraphExecutor, TestClock } from '../../../src/executor/index.js';
import { immediate, promise, type Graph, type JsonValue } from '../../../src/graph/index.js';
import { Recorder, memoryBackups, phasedGraph, statuses } from '../../executor/helpers.js';

function chooseGraph(value: JsonValue, withElse = true): Graph {
  const branches = [
    { when: { equals: 'debian' }, phase: 'apt' },
    { when: { one_of: ['fedora', 'rhel'] }, phase: 'dnf' },
    { when: { matches: '^mac' }, phase: 'brew' },
  ];
  return phasedGraph([
    {
      id: 'main',
      nodes: [
        { id: 'pick', action: 'flow.choose', slots: { value: immediate(value), branches: immediate(branches), ...(withElse ? { else: immediate('other') } : {}) } },
        { id: 'after', after: ['pick'], slots: { input: promise('pick') } },
      ],
    },
    { id: 'apt', role: 'body', nodes: [{ id: 'apt1' }, { id: 'apt2', after: ['apt1'], slots: { value: immediate('apt-done') } }] },
    { id: 'dnf', role: 'body', nodes: [{ id: 'dnf1', slots: { value: immediate('dnf-done') } }] },
    { id: 'brew', role: 'body', nodes: [{ id: 'brew1', slots: { value: immediate('brew-done') } }] },
    ...(withElse ? [{ id: 'other', role: 'body' as const, nodes: [{ id: 'other1', slots: { value: immediate('other-done') } }] }] : []),
  ]);
}

async function run(recorder: Recorder, graph: Graph): Promise<{ state: string; result: unknown }> {
  let result: unknown;
  const executor = new GraphExecutor(recorder.registry, {
    backups: memoryBackups,
    clock: new TestClock(),
    jobs: 1,
    hooks: [{ onNodeComplete: ({ node, outcome }) => void (node.id === 'pick' && outcome.kind === 'completed' && (result = outcome.result)) }],
  });
  const report = await executor.run(graph);
  return { state: report.state, result };
}

describe('flow.choose', () => {
  it.each([
    ['debian', ['apt1', 'apt2'], 'apt-done'],
    ['rhel', ['dnf1'], 'dnf-done'],
    ['macos', ['brew1'], 'brew-done'],
    ['arch', ['other1'], 'other-done'],
  ])('runs the first matching branch for %s', async (value, ran, result) => {
    const recorder = new Recorder();
    const outcome = await run(recorder, chooseGraph(value));
    expect(outcome).toEqual({ state: 'executed', result });
    expect(recorder.entries('do')).toEqual([...ran, 'after']);
  });

  it('does nothing and returns null when no branch matches and there is no else', async () => {
    const recorder = new Recorder();
    const outcome = await run(recorder, chooseGraph('arch', false));
    expect(outcome).toEqual({ state: 'executed', result: null });
    expect(recorder.entries('do')).toEqual(['after']);
  });

  it('undoes a failed branch and fails the node; the run rolls back', async () => {
    const recorder = new Recorder().failOn('apt2');
    const graph = chooseGraph('debian');
    const executor = new GraphExecutor(recorder.registry, { backups: memoryBackups, clock: new TestClock(), jobs: 1 });
    const report = await executor.run(graph);
    expect(report.state).toBe('rolled_back');
    expect(recorder.entries('undo')).toEqual(['apt1']);
    expect(report.graph.nodes.find((n) => n.id === 'pick')?.error).toContain('choose: phase "apt" failed');
    expect(statuses(report.graph)).toMatchObject({ apt1: 'compensated', apt2: 'failed', after: 'skipped' });
  });
});
