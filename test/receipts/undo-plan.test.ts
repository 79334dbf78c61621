import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Plan,
  ReceiptStore,
  UNDO_REPLAY_ACTION,
  WritLoreError,
  backupStoreFor,
  buildUndoPlan,
  createDefaultRegistry,
  runRecorded,
  undoReplayAction,
  type Graph,
  type UndoPlanItem,
} from '../../src/index.js';
import { fakeActionContext } from '../helpers/fake-action-context.js';
import { snapshotTree, type TreeSnapshot } from '../helpers/tree-snapshot.js';

let work: string;
let repo: string;
let target: string;
let store: ReceiptStore;
const registry = createDefaultRegistry();

beforeEach(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'writ-lore-undo-plan-'));
  repo = path.join(work, 'repo');
  target = path.join(work, 'home');
  await fs.mkdir(repo);
  await fs.mkdir(target);
  for (const name of ['a', 'b', 'c']) await fs.writeFile(path.join(repo, name), `${name}\n`);
  await fs.writeFile(path.join(target, '.a'), 'the user file\n', { mode: 0o640 });
  await fs.symlink('elsewhere', path.join(target, '.b'));
  store = new ReceiptStore({ stateDir: path.join(work, 'state') });
});

afterEach(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

if (!registry.has(UNDO_REPLAY_ACTION)) {
  registry.register(undoReplayAction(registry, { backupsFor: (stem) => backupStoreFor(store.layout, stem) }), 'test');
}
registry.register(
  {
    name: 'test.undo-fails',
    spec: { required: [] },
    do: () => Promise.resolve({}),
    undo: () => Promise.reject(new WritLoreError('action-failed', 'this undo always fails')),
  },
  'test',
);

const home = (): Promise<TreeSnapshot> => snapshotTree(target);
const run = (plan: Graph) => runRecorded(plan, { store, registry, handleSignals: false, preflight: false });

/** Applies links over a user file and a user link, a copy into new directories, and a write. */
async function applyFixture(): Promise<{ receipt: Graph; stem: string }> {
  const p = new Plan(registry, { tool: 'writ', context: { target_root: target } });
  p.link(path.join(repo, 'a'), path.join(target, '.a'), { onConflict: 'backup' });
  p.link(path.join(repo, 'b'), path.join(target, '.b'), { onConflict: 'backup' });
  p.copy(path.join(repo, 'c'), path.join(target, '.config/deep/c'), { mode: '0600' });
  p.write(path.join(target, '.d'), 'written\n');
  const { report, receipt } = await run(p.graph());
  expect(report.state).toBe('executed');
  return { receipt: receipt.graph, stem: receipt.stem };
}

/** Every completed node of `receipt`, newest start first. */
function itemsOf(receipt: Graph, stem: string): UndoPlanItem[] {
  return receipt.nodes
    .filter((node) => node.status === 'completed' && node.undo !== undefined)
    .sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''))
    .map((node) => {
      const slot = node.slots['path'];
      return { node, stem, ...(slot?.kind === 'immediate' && typeof slot.value === 'string' ? { path: slot.value } : {}) };
    });
}

describe('buildUndoPlan', () => {
  it('chains the replays in the order given and keeps skipped items out of the chain', async () => {
    const { receipt, stem } = await applyFixture();
    const items = itemsOf(receipt, stem);
    const skipped = { ...items[1]!, skip: 'already undone on disk' };
    const plan = buildUndoPlan([items[0]!, skipped, items[2]!], { tool: 'writ', context: {}, timestamp: '2026-01-01T00:00:00.000Z' });
    expect(plan.state).toBe('pending');
    expect(plan.timestamp).toBe('2026-01-01T00:00:00.000Z');
    expect(plan.nodes.map((node) => [node.action, node.status])).toEqual([
      [UNDO_REPLAY_ACTION, 'pending'],
      [UNDO_REPLAY_ACTION, 'skipped'],
      [UNDO_REPLAY_ACTION, 'pending'],
    ]);
    expect(plan.edges).toEqual([{ from: plan.nodes[0]!.id, to: plan.nodes[2]!.id, kind: 'order' }]);
    expect(plan.nodes[0]!.annotations?.['receipt.undo_of']).toBe(stem);
  });

  it('refuses an empty list', () => {
    expect(() => buildUndoPlan([], { tool: 'writ', context: {} })).toThrow(/nothing to undo/);
  });
});

describe('undoReplayAction', () => {
  it('refuses an action it does not know', async () => {
    const action = undoReplayAction(createDefaultRegistry());
    await expect(action.do(fakeActionContext(), { action: 'no.such', undo: null })).rejects.toThrow(/unknown action "no.such"/);
  });

  it('replays a run\'s undo into a byte-identical tree, user files and links restored from that run\'s backups', async () => {
    const before = await home();
    const { receipt, stem } = await applyFixture();
    const { report } = await run(buildUndoPlan(itemsOf(receipt, stem), { tool: 'writ', context: {} }));
    expect(report.state).toBe('executed');
    expect(await home()).toEqual(before);
  });

  it('puts back what it undid when a later undo of the plan fails, leaving the tree exactly as applied', async () => {
    const { receipt, stem } = await applyFixture();
    const applied = await home();
    const failing = { node: { id: 'fails', action: 'test.undo-fails', status: 'completed' as const, slots: {}, undo: {} }, stem };
    const { report } = await run(buildUndoPlan([...itemsOf(receipt, stem), failing], { tool: 'writ', context: {} }));
    expect(report.state).toBe('rolled_back');
    expect(report.graph.nodes.filter((node) => node.status === 'compensated')).toHaveLength(4);
    expect(await home()).toEqual(applied);
    // The original run's backups are back where its receipt says: replaying again still works.
    const again = await run(buildUndoPlan(itemsOf(receipt, stem), { tool: 'writ', context: {} }));
    expect(again.report.state).toBe('executed');
  });

  it('moves a drifted target aside with displace, and puts it back when compensated', async () => {
    const before = await home();
    const { receipt, stem } = await applyFixture();
    await fs.appendFile(path.join(target, '.d'), 'edited\n');
    const drifted = await home();
    const items = itemsOf(receipt, stem).map((item) => (item.path?.endsWith('.d') === true ? { ...item, displace: true } : item));
    const failing = { node: { id: 'fails', action: 'test.undo-fails', status: 'completed' as const, slots: {}, undo: {} }, stem };
    expect((await run(buildUndoPlan([...items, failing], { tool: 'writ', context: {} }))).report.state).toBe('rolled_back');
    expect(await home()).toEqual(drifted);
    expect((await run(buildUndoPlan(items, { tool: 'writ', context: {} }))).report.state).toBe('executed');
    expect(await home()).toEqual(before);
  });
});
