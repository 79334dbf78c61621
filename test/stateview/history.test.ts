import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ReceiptStore,
  buildStateView,
  detectDrift,
  fileHistory,
  filesTouchedBy,
  packageHistory,
  type FileEntry,
  type Graph,
} from '../../src/index.js';
import { makeTempDir, packageGraph, removeTempDir, sampleGraph } from '../receipts/helpers.js';

let dir: string;
let store: ReceiptStore;
beforeEach(async () => {
  dir = await makeTempDir('writ-lore-history-');
  store = new ReceiptStore({ stateDir: path.join(dir, 'state') });
});
afterEach(async () => removeTempDir(dir));

describe('history queries', () => {
  it('returns file and package histories and what one run touched', async () => {
    await store.write(sampleGraph({ timestamp: '2026-11-01T00:00:00.000Z', nodes: 2 }));
    await store.write(sampleGraph({ timestamp: '2026-11-02T00:00:00.000Z', nodes: 1 }));
    await store.write(packageGraph(['jq'], '2026-11-03T00:00:00.000Z'));
    const view = await buildStateView(store);
    expect(fileHistory(view, '/home/user/.config/app-0/file-0').map((record) => record.receipt)).toEqual([
      'writ-2026-11-01T00-00-00-000Z',
      'writ-2026-11-02T00-00-00-000Z',
    ]);
    expect(fileHistory(view, 'file-1', '/home/user/.config/app-1')).toHaveLength(1);
    expect(packageHistory(view, 'jq')).toEqual([expect.objectContaining({ action: 'install', version: '1.0.0', manager: 'apt' })]);
    expect(packageHistory(view, 'nope')).toEqual([]);
    expect(filesTouchedBy(view, 'writ-2026-11-02T00-00-00-000Z')).toEqual(['/home/user/.config/app-0/file-0']);
  });
});

describe('detectDrift', () => {
  function entryFor(graph: Graph): Promise<FileEntry[]> {
    return store.write(graph).then(async () => [...(await buildStateView(store)).files.values()]);
  }

  it('finds missing, re-pointed and edited targets', async () => {
    const home = path.join(dir, 'home');
    const graph = sampleGraph({ targetRoot: home, nodes: 5 });
    const entries = await entryFor(graph);
    const link = entries.find((entry) => entry.path.endsWith('file-0'));
    const copy = entries.find((entry) => entry.path.endsWith('file-4'));
    if (link === undefined || copy === undefined) throw new Error('fixture entries missing');
    expect(detectDrift(link)).toEqual({ kind: 'missing' });
    fs.mkdirSync(path.dirname(link.path), { recursive: true });
    fs.symlinkSync('/repo/base/dot-0', link.path);
    expect(detectDrift(link)).toEqual({ kind: 'ok' });
    fs.unlinkSync(link.path);
    fs.symlinkSync('/elsewhere', link.path);
    expect(detectDrift(link)).toEqual({ kind: 'changed', detail: 'points to /elsewhere, not /repo/base/dot-0' });
    fs.mkdirSync(path.dirname(copy.path), { recursive: true });
    fs.writeFileSync(copy.path, 'edited');
    expect(detectDrift(copy)).toEqual({ kind: 'changed', detail: 'content differs' });
  });
});
