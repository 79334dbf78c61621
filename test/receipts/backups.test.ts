import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReceiptStore, backupRefsIn, backupStoreFor, pruneBackups, type Graph } from '../../src/index.js';
import { makeTempDir, removeTempDir, sampleGraph } from './helpers.js';

let dir: string;
let store: ReceiptStore;

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-backups-');
  store = new ReceiptStore({ stateDir: path.join(dir, 'state') });
});
afterEach(async () => removeTempDir(dir));

/** A receipt at `day` whose one node backed up a user file of `bytes` bytes. */
async function runWithBackup(day: string, options: { state?: Graph['state']; disposable?: boolean; bytes?: number } = {}): Promise<string> {
  const graph = sampleGraph({ timestamp: `2026-11-${day}T00:00:00.000Z`, nodes: 1, ...(options.state === undefined ? {} : { state: options.state }) });
  const stem = `writ-2026-11-${day}T00-00-00-000Z`;
  const backups = backupStoreFor(store.layout, stem);
  const user = path.join(dir, `user-${day}`);
  await fs.writeFile(user, 'x'.repeat(options.bytes ?? 100));
  const ref = await backups.save(user, 'move', options.disposable === true ? { disposable: true } : {});
  const [node] = graph.nodes;
  if (node === undefined) throw new Error('sample graph has no node');
  node.undo = { kind: 'place', path: user, backup: ref, nested: [{ other: 1 }] };
  await store.write(graph);
  return stem;
}

describe('backupStoreFor', () => {
  it('places a run\'s backups under <state>/backups/<receipt-name>/', () => {
    expect(backupStoreFor(store.layout, 'writ-x').root).toBe(path.join(dir, 'state', 'backups', 'writ-x'));
  });
});

describe('backupRefsIn', () => {
  it('finds refs nested anywhere in an undo state', () => {
    const ref = { id: 'a-x', original: '/x', type: 'file' };
    expect(backupRefsIn({ a: [1, { b: ref }], c: null })).toEqual([ref]);
    expect(backupRefsIn('text')).toEqual([]);
  });
});

describe('pruneBackups', () => {
  it('keeps backups a receipt still needs unless forced, and says what it freed', async () => {
    await runWithBackup('01', { bytes: 1000 });
    await runWithBackup('02', { state: 'rolled_back', bytes: 300 });
    await runWithBackup('03', { disposable: true, bytes: 200 });
    await runWithBackup('04', { bytes: 50 });
    const report = await pruneBackups(store, { selection: { kind: 'keep', count: 1 } });
    expect(report.items.map((item) => [item.kind, item.stem.slice(10, 17)])).toEqual([
      ['kept', '11-01T0'],
      ['removed', '11-02T0'],
      ['removed', '11-03T0'],
    ]);
    expect(report.freedBytes).toBe(500);
    expect((await fs.readdir(store.layout.backups)).sort()).toEqual([
      'writ-2026-11-01T00-00-00-000Z',
      'writ-2026-11-04T00-00-00-000Z',
    ]);
    const forced = await pruneBackups(store, { selection: { kind: 'keep', count: 1 }, force: true });
    expect(forced.freedBytes).toBe(1000);
  });

  it('selects by age with --older-than and changes nothing on a dry run', async () => {
    await runWithBackup('01', { state: 'rolled_back' });
    await runWithBackup('10', { state: 'rolled_back' });
    const report = await pruneBackups(store, {
      selection: { kind: 'older-than', before: new Date('2026-11-05T00:00:00.000Z') },
      dryRun: true,
    });
    expect(report.items).toEqual([{ kind: 'removed', stem: 'writ-2026-11-01T00-00-00-000Z', bytes: 100 }]);
    expect(await fs.readdir(store.layout.backups)).toHaveLength(2);
  });

  it('never removes the backups of an interrupted run, even when forced', async () => {
    const stem = await runWithBackup('01');
    await fs.rm(store.pathOf(stem));
    await fs.writeFile(store.journalPathOf(stem), '');
    const report = await pruneBackups(store, { selection: { kind: 'keep', count: 0 }, force: true });
    expect(report.items).toEqual([expect.objectContaining({ kind: 'kept', reason: expect.stringContaining('interrupted') as string })]);
  });

  it('removes orphaned backup directories that no receipt names', async () => {
    await fs.mkdir(path.join(store.layout.backups, 'leftover'), { recursive: true });
    const report = await pruneBackups(store, { selection: { kind: 'keep', count: 0 } });
    expect(report.items).toEqual([{ kind: 'removed', stem: 'leftover', bytes: 0 }]);
  });
});
