import { describe, expect, it } from 'vitest';
import { GraphExecutor, TestClock, type ExecutorHooks, type ExecutorOptions } from '../../src/executor/index.js';
import { Recorder, memoryBackups, phaseStatuses, phasedGraph, statuses, type PhaseSpec } from './helpers.js';

function executor(recorder: Recorder, options: Partial<ExecutorOptions> = {}): GraphExecutor {
  return new GraphExecutor(recorder.registry, { backups: memoryBackups, clock: new TestClock(), jobs: 1, ...options });
}

/** prepare → install → provision → verify, the first two with compensation phases. */
function saga(overrides: Partial<Record<string, Partial<PhaseSpec>>> = {}): PhaseSpec[] {
  const phases: PhaseSpec[] = [
    { id: 'prepare', nodes: [{ id: 'p1' }, { id: 'p2', after: ['p1'] }], compensate: 'unprepare' },
    { id: 'install', nodes: [{ id: 'i1' }, { id: 'i2', after: ['i1'] }], compensate: 'uninstall' },
    { id: 'provision', nodes: [{ id: 'v1' }, { id: 'v2', after: ['v1'] }, { id: 'v3', after: ['v2'] }] },
    { id: 'verify', nodes: [{ id: 'check' }] },
    { id: 'unprepare', role: 'compensation', nodes: [{ id: 'cp' }] },
    { id: 'uninstall', role: 'compensation', nodes: [{ id: 'ci' }] },
  ];
  return phases.map((phase) => ({ ...phase, ...overrides[phase.id] }));
}

describe('phased run (saga)', () => {
  it('runs forward phases in order, never the compensation phases, and ends executed', async () => {
    const recorder = new Recorder();
    const report = await executor(recorder).run(phasedGraph(saga()));
    expect(report.state).toBe('executed');
    expect(recorder.entries('do')).toEqual(['p1', 'p2', 'i1', 'i2', 'v1', 'v2', 'v3', 'check']);
    expect(phaseStatuses(report.graph)).toEqual({
      prepare: 'completed', install: 'completed', provision: 'completed', verify: 'completed', unprepare: 'pending', uninstall: 'pending',
    });
    expect(report.graph.phases?.[0]?.attempts).toEqual([{ number: 1, status: 'completed', timestamp: '2026-01-01T00:00:00.000Z' }]);
  });

  it('retries a failing phase, undoing the failed attempt before each retry, and succeeds on attempt 3', async () => {
    const recorder = new Recorder().failOn('v3', 'before', 2);
    const clock = new TestClock();
    const retry = { max_attempts: 3, backoff: 'exponential', initial_delay: '100ms', max_delay: '1s' } as const;
    const report = await executor(recorder, { clock }).run(phasedGraph(saga({ provision: { retry } })));
    expect(report.state).toBe('executed');
    expect(recorder.log).toEqual([
      'do:p1', 'do:p2', 'do:i1', 'do:i2',
      'do:v1', 'do:v2', 'undo:v2', 'undo:v1',
      'do:v1', 'do:v2', 'undo:v2', 'undo:v1',
      'do:v1', 'do:v2', 'do:v3', 'do:check',
    ]);
    expect(clock.sleeps.map((s) => s.ms)).toEqual([100, 200]);
    const provision = report.graph.phases?.find((p) => p.id === 'provision');
    expect(provision?.status).toBe('completed');
    expect(provision?.attempts?.map((a) => [a.number, a.status, a.error])).toEqual([
      [1, 'failed', 'test.record: v3 failed on purpose'],
      [2, 'failed', 'test.record: v3 failed on purpose'],
      [3, 'completed', undefined],
    ]);
    expect(provision?.attempts?.map((a) => a.timestamp)).toEqual([
      '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.100Z', '2026-01-01T00:00:00.300Z',
    ]);
    expect(statuses(report.graph)).toMatchObject({ v1: 'completed', v2: 'completed', v3: 'completed' });
    expect(report.graph.nodes.find((n) => n.id === 'v3')?.error).toBeUndefined();
  });

  it('stops retrying at once when a failure is marked non-retryable', async () => {
    const recorder = new Recorder().failOn('v3', 'before', Number.POSITIVE_INFINITY, false);
    const clock = new TestClock();
    const retry = { max_attempts: 3, backoff: 'linear', initial_delay: '100ms' } as const;
    const report = await executor(recorder, { clock }).run(phasedGraph(saga({ provision: { retry } })));
    expect(report.state).toBe('rolled_back');
    expect(clock.sleeps).toEqual([]);
    const provision = report.graph.phases?.find((p) => p.id === 'provision');
    expect(provision?.status).toBe('failed');
    expect(provision?.attempts?.map((a) => a.status)).toEqual(['failed']);
    // Every forward effect was undone; only the compensation phases' own effects remain.
    expect([...recorder.applied].sort()).toEqual(['ci', 'cp']);
    expect(recorder.entries('undo')).toEqual(['v2', 'v1', 'i2', 'i1', 'p2', 'p1']);
  });

  it('retries a failure marked retryable like one that says nothing', async () => {
    const recorder = new Recorder().failOn('v3', 'before', 1, true);
    const retry = { max_attempts: 2, backoff: 'none' } as const;
    const report = await executor(recorder).run(phasedGraph(saga({ provision: { retry } })));
    expect(report.state).toBe('executed');
    const provision = report.graph.phases?.find((p) => p.id === 'provision');
    expect(provision?.attempts?.map((a) => a.status)).toEqual(['failed', 'completed']);
  });

  it('on exhausted retries skips later phases and unwinds phase by phase: compensation phase, then its nodes LIFO', async () => {
    const recorder = new Recorder().failOn('v2');
    const retry = { max_attempts: 2, backoff: 'none', initial_delay: '1s' } as const;
    const report = await executor(recorder).run(phasedGraph(saga({ provision: { retry } })));
    expect(report.state).toBe('rolled_back');
    expect(recorder.log).toEqual([
      'do:p1', 'do:p2', 'do:i1', 'do:i2',
      'do:v1', 'undo:v1',
      'do:v1',
      // The failed phase's own work first; then each completed phase, newest first: its
      // compensation phase runs while its effects are still in place, then its nodes are undone.
      'undo:v1',
      'do:ci', 'undo:i2', 'undo:i1',
      'do:cp', 'undo:p2', 'undo:p1',
    ]);
    expect(phaseStatuses(report.graph)).toEqual({
      prepare: 'rolled_back', install: 'rolled_back', provision: 'failed', verify: 'skipped', unprepare: 'completed', uninstall: 'completed',
    });
    expect(statuses(report.graph)).toMatchObject({ p1: 'compensated', i2: 'compensated', v1: 'compensated', v2: 'failed', v3: 'skipped', check: 'skipped' });
    expect(report.graph.nodes.find((n) => n.id === 'check')?.error).toBe('skipped: phase "provision" failed');
    expect(report.graph.rollback?.map((r) => [r.phase, r.compensate, r.status])).toEqual([
      ['provision', undefined, 'completed'],
      ['install', 'uninstall', 'completed'],
      ['prepare', 'unprepare', 'completed'],
    ]);
    expect(report.errors.map((e) => e.message)).toEqual(['phase "provision" failed after 2 attempts: test.record: v2 failed on purpose']);
  });

  it('goes on past a failing compensation phase and reports every error', async () => {
    const recorder = new Recorder().failOn('v1').failOn('ci').failUndoOn('p2');
    const report = await executor(recorder).run(phasedGraph(saga()));
    expect(report.state).toBe('interrupted');
    expect(recorder.entries('do').slice(-1)).toEqual(['cp']);
    expect(phaseStatuses(report.graph)).toMatchObject({ uninstall: 'failed', unprepare: 'completed', install: 'rolled_back', prepare: 'rolled_back' });
    expect(report.graph.rollback?.map((r) => [r.phase, r.status])).toEqual([
      ['provision', 'completed'],
      ['install', 'failed'],
      ['prepare', 'failed'],
    ]);
    expect(report.graph.rollback?.[1]?.error).toContain('ci failed on purpose');
    expect(report.graph.rollback?.[2]?.error).toContain('undo of "p2" failed');
    const incomplete = report.errors.find((e) => e.code === 'rollback-incomplete');
    expect(incomplete?.message).toContain('"p2"');
    expect(incomplete?.message).toContain('uninstall');
    expect(report.diagnostics.map((d) => d.kind).sort()).toEqual(['compensation-failed', 'undo-failed']);
  });

  it('spreads retry delays with jitter from the injected random source', async () => {
    const recorder = new Recorder().failOn('i1', 'before', 2);
    const clock = new TestClock();
    const retry = { max_attempts: 3, backoff: 'linear', initial_delay: '100ms', jitter: 0.5 } as const;
    const report = await executor(recorder, { clock, random: () => 1 }).run(phasedGraph(saga({ install: { retry } })));
    expect(report.state).toBe('executed');
    // random 1 → +50 % of 100ms and of 200ms.
    expect(clock.sleeps.map((s) => s.ms)).toEqual([150, 300]);
  });

  it('under policy stop fails without rollback and skips later phases', async () => {
    const recorder = new Recorder().failOn('v2');
    const report = await executor(recorder, { policy: 'stop' }).run(phasedGraph(saga()));
    expect(report.state).toBe('failed');
    expect(recorder.entries('undo')).toEqual([]);
    expect(phaseStatuses(report.graph)).toMatchObject({ prepare: 'completed', install: 'completed', provision: 'failed', verify: 'skipped' });
    expect(report.graph.rollback).toBeUndefined();
  });

  it('fires phase, retry and compensate hooks in order', async () => {
    const recorder = new Recorder().failOn('i2', 'before', 1);
    const events: string[] = [];
    const hooks: ExecutorHooks = {
      onPhaseStart: ({ phase, attempt }) => void events.push(`start ${phase.id} ${attempt}`),
      onPhaseComplete: ({ phase, attempt, error }) => void events.push(`end ${phase.id} ${attempt}${error === undefined ? '' : ' failed'}`),
      onRetry: ({ phase, attempt, delayMs }) => void events.push(`retry ${phase.id} ${attempt} ${delayMs}`),
      onCompensate: ({ node, outcome }) => void events.push(`compensate ${node.id} ${outcome.kind}`),
    };
    const retry = { max_attempts: 2, backoff: 'linear', initial_delay: '50ms' } as const;
    const graph = phasedGraph(saga({ install: { retry } }).slice(0, 2).concat(saga().slice(4)));
    await executor(recorder, { hooks: [hooks] }).run(graph);
    expect(events).toEqual([
      'start prepare 1', 'end prepare 1',
      'start install 1', 'end install 1 failed', 'compensate i1 compensated',
      'retry install 2 50', 'start install 2', 'end install 2',
    ]);
  });
});
