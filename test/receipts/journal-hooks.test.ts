import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FORMAT_VERSION, Journal, journalHooks, readJournal, replayJournal, type Node } from '../../src/index.js';
import { makeTempDir, removeTempDir } from './helpers.js';

let dir: string;
let journal: Journal;

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-hooks-');
  journal = await Journal.create(path.join(dir, 'writ-2026-11-01T00-00-00-000Z.journal'), {
    kind: 'run-start', v: JOURNAL_FORMAT_VERSION, run: 'writ-2026-11-01T00-00-00-000Z', tool: 'writ',
    timestamp: '2026-11-01T00:00:00.000Z', plan_checksum: 'sha256:00', started_at: '2026-11-01T00:00:00.000Z',
    pid: 1, platform: { os: 'linux', arch: 'x64' }, context: {},
  });
});
afterEach(async () => removeTempDir(dir));

function node(id: string, undo?: Node['undo']): Node {
  return {
    id, action: 'file.link', status: 'completed',
    slots: { path: { kind: 'immediate', value: `/home/u/${id}` } },
    ...(undo === undefined ? {} : { undo }),
  };
}

describe('journalHooks', () => {
  it('journals undo registrations durably, once per distinct state, with iterations', async () => {
    const hooks = journalHooks(journal);
    const iteration = { flow: 'each', index: 3 };
    await hooks.onUndoRegistered?.({ node: node('a'), undo: { step: 1 } });
    await hooks.onUndoRegistered?.({ node: node('a'), undo: { step: 1 } });
    await hooks.onUndoRegistered?.({ node: node('b'), undo: { step: 1 }, iteration });
    await hooks.onUndoRegistered?.({ node: node('a'), undo: { step: 2 } });
    // Durable without close: the last sync covered every undo record.
    const records = (await readJournal(journal.path)).records;
    expect(records.map((record) => record.kind)).toEqual(['run-start', 'undo-registered', 'undo-registered', 'undo-registered']);
    expect(records[2]).toEqual({ kind: 'undo-registered', node: 'b', action: 'file.link', undo: { step: 1 }, target: '/home/u/b', iteration });
  });

  it('repeats the undo state in node-done only when it changed, and replays to the final state', async () => {
    const hooks = journalHooks(journal);
    const registered = { step: 1 };
    await hooks.onUndoRegistered?.({ node: node('a'), undo: registered });
    await hooks.onNodeComplete?.({ node: node('a', registered), outcome: { kind: 'completed', result: undefined } });
    await hooks.onUndoRegistered?.({ node: node('b'), undo: { step: 1 } });
    await hooks.onNodeComplete?.({ node: node('b', { step: 'final' }), outcome: { kind: 'completed', result: undefined } });
    await hooks.onNodeComplete?.({ node: node('c'), outcome: { kind: 'failed', error: new Error('boom') } });
    await hooks.onCompensate?.({ node: node('b'), outcome: { kind: 'failed', error: new Error('undo broke') } });
    await hooks.onRunEnd?.({ graph: undefined as never, state: 'failed' });
    const records = (await readJournal(journal.path)).records;
    const done = records.filter((record) => record.kind === 'node-done');
    expect(done.map((record) => ('undo' in record ? record.undo : undefined))).toEqual([undefined, { step: 'final' }, undefined]);
    const run = replayJournal(records);
    expect(run.nodes.map((entry) => [entry.key, entry.status, entry.undo, entry.compensation])).toEqual([
      ['a', 'completed', { step: 1 }, undefined],
      ['b', 'completed', { step: 'final' }, 'failed'],
      ['c', 'failed', undefined, undefined],
    ]);
    expect(run.end).toBe('failed');
  });
});
