import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ReceiptStore,
  buildStateView,
  installedVersion,
  isCopied,
  isInstalled,
  isLinked,
  isSecret,
  lastRecord,
  type Graph,
} from '../../src/index.js';
import { makeTempDir, packageGraph, removeTempDir, sampleGraph } from '../receipts/helpers.js';

let dir: string;
let store: ReceiptStore;

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-stateview-');
  store = new ReceiptStore({ stateDir: dir });
});
afterEach(async () => removeTempDir(dir));

function withNode(graph: Graph, node: Graph['nodes'][number]): Graph {
  return { ...graph, nodes: [...graph.nodes, node] };
}

describe('buildStateView', () => {
  it('keys files by absolute target path and merges history across receipts', async () => {
    await store.write(sampleGraph({ timestamp: '2026-11-01T00:00:00.000Z', nodes: 2 }));
    const second = sampleGraph({ timestamp: '2026-11-02T00:00:00.000Z', nodes: 2 });
    await store.write({ ...second, nodes: second.nodes.map((node) => ({ ...node, layer: 'work' })) });
    const view = await buildStateView(store);
    const entry = view.files.get('/home/user/.config/app-0/file-0');
    expect(entry?.history.map((record) => [record.time, record.layer, record.receipt])).toEqual([
      ['2026-11-01T00:00:00.000Z', 'base', 'writ-2026-11-01T00-00-00-000Z'],
      ['2026-11-02T00:00:00.000Z', 'work', 'writ-2026-11-02T00-00-00-000Z'],
    ]);
    expect(lastRecord(entry ?? { history: [] })).toMatchObject({ action: 'file.link', tool: 'writ', status: 'completed' });
    expect(view.receipts).toHaveLength(2);
  });

  it('joins relative targets with the target root', async () => {
    const graph = sampleGraph({ nodes: 0 });
    await store.write(withNode(graph, {
      id: 'rel', action: 'file.link', status: 'completed',
      slots: { source: { kind: 'immediate', value: '/repo/x' }, path: { kind: 'immediate', value: '.bashrc' } },
    }));
    const view = await buildStateView(store);
    expect([...view.files.keys()]).toEqual(['/home/user/.bashrc']);
  });

  it('excludes skipped, pending and transform nodes', async () => {
    let graph = sampleGraph({ nodes: 1 });
    for (const [id, action, status] of [
      ['skip', 'file.link', 'skipped'],
      ['pend', 'file.link', 'pending'],
      ['render', 'template.render', 'completed'],
    ] as const) {
      graph = withNode(graph, { id, action, status, slots: { path: { kind: 'immediate', value: `/home/user/${id}` } } });
    }
    await store.write(graph);
    const view = await buildStateView(store);
    expect([...view.files.keys()]).toEqual(['/home/user/.config/app-0/file-0']);
  });

  it('tells links, copies and secrets apart', async () => {
    let graph = sampleGraph({ nodes: 5 });
    graph = withNode(graph, { id: 'dec', action: 'secret.decrypt', status: 'completed', slots: { source: { kind: 'immediate', value: '/repo/s.age' } } });
    graph = withNode(graph, {
      id: 'secret-copy', action: 'file.copy', status: 'completed',
      slots: { path: { kind: 'immediate', value: '/home/user/.netrc' }, content: { kind: 'promise', node: 'dec' } },
    });
    await store.write({ ...graph, edges: [{ from: 'dec', to: 'secret-copy', kind: 'data' }] });
    const view = await buildStateView(store);
    const tree = view.deployed();
    expect(tree.linked()).toHaveLength(4);
    expect(tree.copied().map((entry) => entry.path)).toEqual(['/home/user/.config/app-4/file-4', '/home/user/.netrc']);
    const netrc = view.files.get('/home/user/.netrc');
    expect(netrc !== undefined && isSecret(netrc) && isCopied(netrc) && !isLinked(netrc)).toBe(true);
    expect(view.summary()).toMatchObject({ receipts: 1, files: 6, links: 4, copies: 2, secrets: 1 });
  });

  it('keys packages by name with versions and install/remove history', async () => {
    await store.write(packageGraph(['ripgrep', 'fd'], '2026-11-01T00:00:00.000Z'));
    await store.write(packageGraph(['fd'], '2026-11-02T00:00:00.000Z', 'pkg.remove'));
    const view = await buildStateView(store);
    const ripgrep = view.packages.get('ripgrep');
    const fd = view.packages.get('fd');
    expect(ripgrep !== undefined && isInstalled(ripgrep)).toBe(true);
    expect(ripgrep === undefined ? undefined : installedVersion(ripgrep)).toBe('1.0.0');
    expect(fd?.history.map((record) => record.action)).toEqual(['install', 'remove']);
    expect(fd !== undefined && isInstalled(fd)).toBe(false);
    expect(view.summary()).toMatchObject({ packages: 2, installed: 1 });
  });

  it.each<[string, { since?: string; until?: string }, string[]]>([
    ['both bounds inclusive', { since: '2026-11-02T00:00:00.000Z', until: '2026-11-03T00:00:00.000Z' }, ['11-02', '11-03']],
    ['since only', { since: '2026-11-03T00:00:00.000Z' }, ['11-03']],
    ['until only', { until: '2026-11-01T00:00:00.000Z' }, ['11-01']],
  ])('filters receipts by time (%s)', async (_label, bounds, expected) => {
    for (const day of ['01', '02', '03']) await store.write(sampleGraph({ timestamp: `2026-11-${day}T00:00:00.000Z` }));
    const view = await buildStateView(store, {
      ...(bounds.since === undefined ? {} : { since: new Date(bounds.since) }),
      ...(bounds.until === undefined ? {} : { until: new Date(bounds.until) }),
    });
    expect(view.receipts.map((row) => row.timestamp.slice(5, 10))).toEqual(expected);
  });

  it('filters receipts by tool', async () => {
    await store.write(sampleGraph());
    await store.write(packageGraph(['jq'], '2026-11-01T00:00:00.000Z'));
    const view = await buildStateView(store, { tools: ['lore'] });
    expect(view.receipts.map((row) => row.tool)).toEqual(['lore']);
    expect(view.files.size).toBe(0);
  });

  it('reports a corrupt receipt by name and uses the others', async () => {
    await store.write(sampleGraph({ timestamp: '2026-11-01T00:00:00.000Z' }));
    const bad = await store.write(sampleGraph({ timestamp: '2026-11-02T00:00:00.000Z' }));
    await fs.appendFile(bad.path, 'extra: 1\n');
    const view = await buildStateView(store);
    expect(view.receipts).toHaveLength(1);
    expect(view.problems).toEqual([
      expect.objectContaining({ receipt: 'writ-2026-11-02T00-00-00-000Z', code: 'integrity' }),
    ]);
  });

  it('is empty when there is no receipts directory', async () => {
    const view = await buildStateView(new ReceiptStore({ stateDir: path.join(dir, 'none') }));
    expect(view.summary()).toMatchObject({ receipts: 0, files: 0, packages: 0, problems: 0 });
  });

  it('counts a removed file as not deployed', async () => {
    await store.write(sampleGraph({ nodes: 1, timestamp: '2026-11-01T00:00:00.000Z' }));
    await store.write(withNode(sampleGraph({ nodes: 0, timestamp: '2026-11-02T00:00:00.000Z' }), {
      id: 'rm', action: 'file.unlink', status: 'completed',
      slots: { path: { kind: 'immediate', value: '/home/user/.config/app-0/file-0' } },
    }));
    const view = await buildStateView(store);
    expect(view.deployed().entries).toHaveLength(0);
    expect(view.allFiles().entries).toHaveLength(1);
  });
});
