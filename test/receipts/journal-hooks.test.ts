import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActionRegistry,
  GraphExecutor,
  JOURNAL_FORMAT_VERSION,
  Journal,
  backupStoreFor,
  deepFreeze,
  isSameJson,
  journalHooks,
  preRegister,
  preRegistrationLines,
  readJournal,
  replayJournal,
  stateLayout,
  type Graph,
  type JsonValue,
  type Node,
} from '../../src/index.js';
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
    // a completed as registered: its id in a shared nodes-done record, written before b's record.
    expect(records.map((record) => record.kind)).toEqual([
      'run-start', 'undo-registered', 'nodes-done', 'undo-registered', 'node-done', 'node-done', 'compensation-done', 'run-end',
    ]);
    expect(records[2]).toEqual({ kind: 'nodes-done', action: 'file.link', nodes: ['a'] });
    const done = records.filter((record) => record.kind === 'node-done');
    expect(done.map((record) => ('undo' in record ? record.undo : undefined))).toEqual([{ step: 'final' }, undefined]);
    const run = replayJournal(records);
    expect(run.nodes.map((entry) => [entry.key, entry.status, entry.undo, entry.compensation])).toEqual([
      ['a', 'completed', { step: 1 }, undefined],
      ['b', 'completed', { step: 'final' }, 'failed'],
      ['c', 'failed', undefined, undefined],
    ]);
    expect(run.end).toBe('failed');
  });

  it('skips a re-registration of an equal fresh object, but journals a registered object changed in place', async () => {
    const hooks = journalHooks(journal);
    const prior = { type: 'missing' };
    const first = { kind: 'place', path: '/home/u/a', prior, backup: null };
    await hooks.onUndoRegistered?.({ node: node('a'), undo: first });
    // What the executor does with the state `do` returns: a new object with the same content.
    const returned = { kind: 'place', prior, path: '/home/u/a', backup: null };
    await hooks.onUndoRegistered?.({ node: node('a'), undo: returned });
    await hooks.onNodeComplete?.({ node: node('a', returned), outcome: { kind: 'completed', result: undefined } });
    const mutable: { runs: number[] } = { runs: [1] };
    await hooks.onUndoRegistered?.({ node: node('b'), undo: mutable });
    mutable.runs.push(2);
    await hooks.onUndoRegistered?.({ node: node('b'), undo: mutable });
    await journal.close();
    const records = (await readJournal(journal.path)).records.slice(1);
    expect(records.map((record) => [record.kind, 'undo' in record ? record.undo : undefined])).toEqual([
      ['undo-registered', first],
      ['nodes-done', undefined],
      ['undo-registered', { runs: [1] }],
      ['undo-registered', { runs: [1, 2] }],
    ]);
  });

  /** The undo state file.link registers for a symlink on a free path. */
  function freeLink(path: string, link: string, dirs: string[] = []): JsonValue {
    return { kind: 'place', path, prior: { type: 'missing' }, backup: null, placed: { type: 'symlink', link_target: link }, created_dirs: dirs };
  }

  it('journals pre-registrations in order, each run of free links as one links-planned record', async () => {
    const entries = [
      preRegister('a', 'file.link', freeLink('/h/.a', '/r/a', ['/h']), '/h/.a'),
      preRegister('b', 'file.link', freeLink('/h/.b', '/r/b'), '/h/.b'),
      preRegister('c', 'file.copy', { kind: 'place', path: '/h/.c' }, '/h/.c'),
      // A free-link state whose path is not its target, and one of another action: ordinary records.
      preRegister('d', 'file.link', freeLink('/elsewhere', '/r/d'), '/h/.d'),
      preRegister('e', 'test.other', freeLink('/h/.e', '/r/e'), '/h/.e'),
      preRegister('f', 'file.link', freeLink('/h/.f', '/r/f'), '/h/.f'),
    ];
    for (const line of preRegistrationLines(entries)) journal.appendJson(line);
    await journal.close();
    const records = (await readJournal(journal.path)).records.slice(1);
    expect(records.map((record) => record.kind)).toEqual(['links-planned', 'undo-registered', 'undo-registered', 'undo-registered', 'links-planned']);
    expect(records[0]).toEqual({ kind: 'links-planned', nodes: ['a', 'b'], targets: ['/h/.a', '/h/.b'], link_targets: ['/r/a', '/r/b'], created_dirs: [['/h'], []] });
    // Replayed, exactly what registering each state in turn would have journalled.
    const replayed = replayJournal(records);
    expect(replayed.nodes.map((node) => [node.node, node.action, node.undo, node.target])).toEqual(
      entries.map((entry) => [entry.node, entry.action, entry.undo, entry.target]),
    );
  });

  it('adds no record for a pre-registered state registered again, unless it was changed in place', async () => {
    const frozen = deepFreeze(freeLink('/h/.a', '/r/a'));
    const mutable = { kind: 'place', runs: [1] };
    const hooks = journalHooks(journal, [preRegister('a', 'file.link', frozen, '/h/.a'), preRegister('b', 'test.mark', mutable, '/h/.b')]);
    expect(hooks.onUndoRegistered?.({ node: node('a'), undo: frozen })).toBeUndefined();
    expect(hooks.onUndoRegistered?.({ node: node('b'), undo: { runs: [1], kind: 'place' } })).toBeUndefined();
    mutable.runs.push(2);
    await hooks.onUndoRegistered?.({ node: node('b'), undo: mutable });
    await journal.close();
    const records = (await readJournal(journal.path)).records.slice(1);
    expect(records).toEqual([{ kind: 'undo-registered', node: 'b', action: 'file.link', undo: { kind: 'place', runs: [1, 2] }, target: '/home/u/b' }]);
  });

  it('journals completed steps in shared nodes-done records of at most 1024, written before any other record', async () => {
    const hooks = journalHooks(journal);
    const ids = Array.from({ length: 1030 }, (_, index) => `n${index}`);
    for (const id of ids) {
      await hooks.onUndoRegistered?.({ node: node(id), undo: { id } });
    }
    // Registered one after another, then completed together (as with many jobs).
    for (const id of ids) await hooks.onNodeComplete?.({ node: node(id, { id }), outcome: { kind: 'completed', result: undefined } });
    await hooks.onCompensate?.({ node: node('n0'), outcome: { kind: 'compensated' } });
    await hooks.onRunEnd?.({ graph: undefined as never, state: 'rolled_back' });
    const records = (await readJournal(journal.path)).records.slice(1 + ids.length);
    expect(records.map((record) => [record.kind, record.kind === 'nodes-done' ? record.nodes.length : undefined])).toEqual([
      ['nodes-done', 1024],
      ['nodes-done', 6],
      ['compensation-done', undefined],
      ['run-end', undefined],
    ]);
    expect(replayJournal((await readJournal(journal.path)).records).nodes.every((entry) => entry.status === 'completed')).toBe(true);
  });

  it('compares JSON values structurally, ignoring key order', () => {
    expect(isSameJson({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] })).toBe(true);
    expect(isSameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(isSameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(isSameJson({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(isSameJson([], {})).toBe(false);
    expect(isSameJson(null, {})).toBe(false);
    expect(isSameJson('1', 1)).toBe(false);
  });
});

describe('journalHooks with a running executor', () => {
  /** An action that checks, after registering and before acting, that its registration is on disk. */
  function probeRegistry(file: string, seen: Map<string, boolean>): ActionRegistry {
    return new ActionRegistry().register({
      name: 'test.mark',
      spec: { required: ['path'], writes: ['path'] },
      async do(ctx, slots) {
        const undo: JsonValue = { mark: String(slots['path']) };
        await ctx.registerUndo(undo);
        seen.set(ctx.nodeId, readFileSync(file, 'utf8').includes(`"node":"${ctx.nodeId}","action":"test.mark"`));
        return { undo: { mark: String(slots['path']) } };
      },
      undo: () => Promise.resolve(),
    });
  }

  function markPlan(count: number): Graph {
    const nodes: Node[] = Array.from({ length: count }, (_, index) => ({
      id: `m${index}`, action: 'test.mark', status: 'pending',
      slots: { path: { kind: 'immediate', value: `/home/u/m${index}` } },
    }));
    return {
      version: '1', tool: 'writ', timestamp: '2026-11-01T00:00:00.000Z', state: 'pending',
      platform: { os: 'linux', arch: 'x64' }, context: {}, nodes, edges: [],
    };
  }

  it.each([
    ['batched', 4],
    ['immediate', 4],
    ['adaptive', 4],
    ['adaptive', 1],
  ] as const)('%s commits, jobs %i: every registration is durable before its node acts', async (commit, jobs) => {
    const file = path.join(dir, `writ-2026-11-02T00-00-00-000Z-${commit}.journal`);
    const own = await Journal.create(file, { kind: 'run-start', v: JOURNAL_FORMAT_VERSION, run: 'r', tool: 'writ',
      timestamp: 't', started_at: 't', pid: 1, platform: { os: 'linux', arch: 'x64' }, context: {} }, { commit });
    const seen = new Map<string, boolean>();
    const backups = backupStoreFor(stateLayout(path.join(dir, 'state')), 'r');
    const executor = new GraphExecutor(probeRegistry(file, seen), { backups, hooks: [journalHooks(own)], jobs });
    const syncsBefore = own.stats.syncs;
    const report = await executor.run(markPlan(40));
    expect(report.state).toBe('executed');
    expect([...seen.values()]).toEqual(Array.from({ length: 40 }, () => true));
    const syncs = own.stats.syncs - syncsBefore;
    // Nodes running together share a sync (one per turn, run end included) when batched, which
    // adaptive is whenever batches are shared; a lone node or an immediate journal syncs alone.
    if (commit === 'immediate' || jobs === 1) expect(syncs).toBe(41);
    else expect(syncs).toBeLessThanOrEqual(Math.ceil(40 / jobs) + 2);
    await own.close();
    const records = (await readJournal(file)).records;
    expect(records.filter((record) => record.kind === 'undo-registered')).toHaveLength(40);
    const doneIds = records.flatMap((record) => (record.kind === 'nodes-done' ? record.nodes : record.kind === 'node-done' ? [record.node] : []));
    expect(doneIds.sort()).toEqual(markPlan(40).nodes.map((node) => node.id).sort());
  });
});

