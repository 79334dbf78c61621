import { describe, expect, it } from 'vitest';
import { ActionRegistry, type Action, type ProbeOutcome } from '../../src/actions/index.js';
import { GraphExecutor, TestClock } from '../../src/executor/index.js';
import { immediate, promise } from '../../src/graph/index.js';
import { flatGraph, memoryBackups } from './helpers.js';

const calls: string[] = [];

const probing: Action = {
  name: 'test.probe',
  spec: { required: [], optional: ['outcome', 'input', 'path'] },
  do: () => {
    calls.push('do');
    return Promise.resolve({});
  },
  probe: (ctx, slots) => {
    calls.push(`probe ${ctx.nodeId}`);
    if (slots.outcome === 'throw') return Promise.reject(new Error('cannot read target'));
    const kind = slots.outcome as 'create' | 'ok-already';
    return Promise.resolve({ kind, ...(typeof slots.path === 'string' ? { target: slots.path } : {}) } as ProbeOutcome);
  },
};
const blind: Action = { name: 'test.blind', spec: { required: [] }, do: () => Promise.resolve({}) };

describe('dry run (plan)', () => {
  it('predicts each node from probes without calling do; unknowns propagate', async () => {
    calls.length = 0;
    const registry = new ActionRegistry().register(probing).register(blind);
    const graph = flatGraph([
      { id: 'a', action: 'test.probe', slots: { outcome: immediate('create'), path: immediate('/x') } },
      { id: 'b', action: 'test.probe', slots: { outcome: immediate('ok-already') } },
      { id: 'c', action: 'test.probe', after: ['a'], slots: { input: promise('a') } },
      { id: 'd', action: 'test.probe', after: ['c'], slots: { outcome: immediate('create') } },
      { id: 'e', action: 'test.blind' },
      { id: 'f', action: 'test.probe', slots: { outcome: immediate('throw') } },
    ]);
    const executor = new GraphExecutor(registry, { backups: memoryBackups, clock: new TestClock(), data: { path: '/from-data' } });
    const report = await executor.plan(graph);
    expect(report.nodes.map((n) => [n.node, n.prediction])).toEqual([
      ['a', { kind: 'create', target: '/x' }],
      ['b', { kind: 'ok-already', target: '/from-data' }],
      ['c', { kind: 'unknown-until-apply', reason: 'slot needs the result of node "a"' }],
      ['d', { kind: 'unknown-until-apply', reason: 'depends on node "c", whose outcome is unknown until apply' }],
      ['e', { kind: 'unknown-until-apply', reason: 'action "test.blind" cannot predict its outcome' }],
      ['f', { kind: 'unknown-until-apply', reason: 'probe failed: cannot read target' }],
    ]);
    expect(report.diagnostics).toEqual([{ kind: 'probe-failed', node: 'f', message: 'cannot read target' }]);
    expect(calls).not.toContain('do');
    expect(graph.state).toBe('pending');
    expect(graph.nodes.every((n) => n.status === 'pending')).toBe(true);
  });
});
