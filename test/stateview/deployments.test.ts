import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, ReceiptStore, WRIT_UNDO_OF, foldDeployments, knownTargetsOf, type Graph, type Node } from '../../src/index.js';
import { makeTempDir, removeTempDir } from '../receipts/helpers.js';

let dir: string;
let store: ReceiptStore;

beforeEach(async () => {
  dir = await makeTempDir();
  const keys = new KeyStore(path.join(dir, 'config'));
  await keys.generate();
  store = new ReceiptStore({ stateDir: path.join(dir, 'state'), keys });
});
afterEach(async () => removeTempDir(dir));

function fileNode(index: number, action: string, extra: Partial<Node> = {}): Node {
  const target = `/home/kim/.f${index}`;
  return {
    id: `n${index}`, action, status: 'completed', started_at: `2026-11-01T12:00:0${index}.000Z`,
    slots: { path: { kind: 'immediate', value: target }, source: { kind: 'immediate', value: `/repo/f${index}` } },
    undo: { kind: 'place', path: target }, annotations: { 'writ.source': `/repo/f${index}` }, ...extra,
  };
}

function run(timestamp: string, nodes: Node[], settings?: Record<string, string>): Graph {
  return {
    version: '1', tool: 'writ', timestamp, state: 'executed', platform: { os: 'linux', arch: 'x64' },
    context: { target_root: '/home/kim', ...(settings === undefined ? {} : { settings }) }, nodes, edges: [],
  };
}

describe('foldDeployments', () => {
  it('gives the same stacks and known targets in placement detail as in full detail', async () => {
    const first = await store.write(run('2026-11-01T12:00:00.000Z', [
      fileNode(1, 'file.link'), fileNode(2, 'file.copy', { target_digest: 'sha256:aa' }), fileNode(3, 'file.mkdir'),
      fileNode(4, 'file.link', { status: 'failed' }),
    ]));
    await store.write(run('2026-11-02T12:00:00.000Z', [fileNode(1, 'file.link', { slots: { path: { kind: 'immediate', value: '/home/kim/.f1' }, source: { kind: 'immediate', value: '/repo/new' } } })]));
    await store.write(run('2026-11-03T12:00:00.000Z', [
      { id: 'u', action: 'receipt.undo', status: 'completed', slots: { path: { kind: 'immediate', value: '/home/kim/.f3' } }, annotations: { [WRIT_UNDO_OF]: first.stem } },
    ], { operation: 'remove' }));
    const full = await foldDeployments(store);
    const placement = await foldDeployments(store, { detail: 'placement' });
    expect([...placement.stacks.keys()]).toEqual([...full.stacks.keys()]);
    expect([...full.stacks.keys()].sort()).toEqual(['/home/kim/.f1', '/home/kim/.f2']);
    for (const [target, stack] of full.stacks) {
      const slim = placement.stacks.get(target) ?? [];
      expect(slim.map((item) => item.stem)).toEqual(stack.map((item) => item.stem));
      expect(slim.map((item) => item.node.id)).toEqual(stack.map((item) => item.node.id));
      expect(slim.every((item) => item.node.undo === undefined)).toBe(true);
    }
    const tops = (deployments: typeof full): Node[] => [...deployments.stacks.values()].flatMap((stack) => stack.slice(-1).map((item) => item.node));
    expect(placement.latest).toEqual(full.latest);
    expect(full.latest?.timestamp).toBe('2026-11-02T12:00:00.000Z');
    const latest = full.latest ?? run('', []);
    expect(knownTargetsOf({ ...latest, nodes: tops(placement) })).toEqual(knownTargetsOf({ ...latest, nodes: tops(full) }));
    expect(knownTargetsOf({ ...latest, nodes: tops(full) }).get('/home/kim/.f1')).toEqual({ type: 'symlink', link_target: '/repo/new' });
  });
});
