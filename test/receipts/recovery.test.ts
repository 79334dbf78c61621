import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GraphExecutor,
  ReceiptStore,
  beginRecordedRun,
  buildStateView,
  createDefaultRegistry,
  fileProvider,
  readJournal,
  recover,
  recoverInterrupted,
  type Graph,
  type Node,
} from '../../src/index.js';
import { makeTempDir, removeTempDir } from './helpers.js';
import { snapshotTree, type SnapshotEntry } from './snapshot.js';

let dir: string;
let home: string;
let repo: string;
let store: ReceiptStore;
let before: Record<string, SnapshotEntry>;
const registry = createDefaultRegistry([fileProvider]);

function plan(count: number): Graph {
  const nodes: Node[] = [];
  for (let index = 0; index < count; index += 1) {
    const target = path.join(home, `dir-${index % 3}`, `file-${index}`);
    nodes.push({
      id: `n${index}`,
      action: index % 2 === 0 ? 'file.link' : 'file.copy',
      status: 'pending',
      slots: {
        source: { kind: 'immediate', value: path.join(repo, `src-${index}`) },
        path: { kind: 'immediate', value: target },
      },
    });
  }
  return {
    version: '1', tool: 'writ', timestamp: '2026-11-05T00:00:00.000Z', state: 'pending',
    platform: { os: 'linux', arch: 'x64' }, context: { target_root: home }, nodes, edges: [],
  };
}

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-recovery-');
  home = path.join(dir, 'home');
  repo = path.join(dir, 'repo');
  store = new ReceiptStore({ stateDir: path.join(dir, 'state') });
  await fs.mkdir(path.join(home, 'dir-0'), { recursive: true });
  await fs.mkdir(repo);
  for (let index = 0; index < 12; index += 1) await fs.writeFile(path.join(repo, `src-${index}`), `src ${index}\n`);
  await fs.writeFile(path.join(home, 'dir-0', 'file-0'), 'mine, keep me\n', { mode: 0o600 });
  await fs.writeFile(path.join(home, 'dir-0', 'file-3'), 'also mine\n');
  before = snapshotTree(home);
});
afterEach(async () => removeTempDir(dir));

/** Runs the plan to the end with the journal, but "dies" before writing the receipt. */
async function runWithoutReceipt(count = 12): Promise<string> {
  const run = await beginRecordedRun(store, plan(count));
  const report = await new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks], jobs: 2 }).run(plan(count));
  expect(report.state).toBe('executed');
  await run.journal.close();
  return run.journal.path;
}

describe('recover', () => {
  it('undoes every journalled effect and writes a rolled_back receipt', async () => {
    const journal = await runWithoutReceipt();
    expect(snapshotTree(home)).not.toEqual(before);
    const report = await recover(journal, { store, actions: registry });
    expect(report).toMatchObject({ outcome: 'recovered', state: 'rolled_back', failed: [] });
    expect(report.undone).toHaveLength(12);
    expect(snapshotTree(home)).toEqual(before);
    expect(await store.journals()).toEqual([]);
    const receipt = await store.load(report.stem);
    expect(receipt.state).toBe('rolled_back');
    expect(new Set(receipt.nodes.map((node) => node.status))).toEqual(new Set(['compensated']));
    const view = await buildStateView(store);
    expect(view.files.get(path.join(home, 'dir-0', 'file-0'))?.history[0]?.status).toBe('compensated');
  });

  it('only removes the journal when the receipt was already written', async () => {
    const run = await beginRecordedRun(store, plan(4));
    const report = await new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks] }).run(plan(4));
    await run.journal.close();
    await store.write(report.graph, { stem: run.stem });
    const after = snapshotTree(home);
    const recovered = await recover(run.journal.path, { store, actions: registry });
    expect(recovered).toMatchObject({ outcome: 'already-recorded', state: 'executed' });
    expect(snapshotTree(home)).toEqual(after);
    expect(await store.journals()).toEqual([]);
  });

  it('finishes a recovery that was cut short, without undoing anything twice', async () => {
    const journal = await runWithoutReceipt();
    const controller = new AbortController();
    let undone = 0;
    const first = recover(journal, {
      store, actions: registry, signal: controller.signal,
      onUndo: () => { undone += 1; if (undone === 5) controller.abort(); },
    });
    await expect(first).rejects.toBeDefined();
    const compensated = (await readJournal(journal)).records.filter((record) => record.kind === 'compensation-done');
    expect(compensated).toHaveLength(5);
    const second = await recover(journal, { store, actions: registry });
    expect(second.undone).toHaveLength(7);
    expect(snapshotTree(home)).toEqual(before);
  });

  it('undoes a finished node whose buffered node-done record died with the process', async () => {
    // Snapshot the journal file the moment the last node completes: what a SIGKILL there leaves
    // (node-done records are only buffered until the next commit, and none comes after it).
    const count = 12;
    const run = await beginRecordedRun(store, plan(count));
    let completed = 0;
    let atKill: Buffer | undefined;
    const killer = {
      onNodeComplete: () => {
        completed += 1;
        if (completed === count) atKill = readFileSync(run.journal.path);
      },
    };
    const report = await new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks, killer], jobs: 2 }).run(plan(count));
    expect(report.state).toBe('executed');
    await run.journal.close();
    await fs.writeFile(run.journal.path, atKill ?? '');
    const records = (await readJournal(run.journal.path)).records;
    const registered = records.filter((record) => record.kind === 'undo-registered').map((record) => record.node);
    const done = new Set(records.filter((record) => record.kind === 'node-done').map((record) => record.node));
    const lost = registered.filter((node) => !done.has(node));
    // The registration was durable before the node acted; its completion was not yet written.
    expect(registered).toHaveLength(count);
    expect(lost.length).toBeGreaterThan(0);
    const recovered = await recover(run.journal.path, { store, actions: registry });
    expect(recovered).toMatchObject({ state: 'rolled_back', failed: [] });
    expect(recovered.undone).toEqual(expect.arrayContaining(lost));
    expect(snapshotTree(home)).toEqual(before);
    // Undo is idempotent: the same journal recovered again (say the receipt write was lost too)
    // undoes nothing that is not already undone and changes nothing.
    await fs.writeFile(run.journal.path, atKill ?? '');
    await fs.rm(recovered.receiptPath);
    const again = await recover(run.journal.path, { store, actions: registry });
    expect(again).toMatchObject({ state: 'rolled_back', failed: [] });
    expect(snapshotTree(home)).toEqual(before);
  });

  it('ignores a torn final journal line', async () => {
    const journal = await runWithoutReceipt();
    await fs.appendFile(journal, '1234abcd {"kind":"node-do');
    await recover(journal, { store, actions: registry });
    expect(snapshotTree(home)).toEqual(before);
  });

  it('keeps the undo state of what could not be undone and says so', async () => {
    const journal = await runWithoutReceipt(2);
    const changed = path.join(home, 'dir-1', 'file-1');
    await fs.rm(changed);
    await fs.writeFile(changed, 'edited by the user after the run\n');
    const report = await recover(journal, { store, actions: registry });
    expect(report.state).toBe('interrupted');
    expect(report.failed).toEqual([{ node: 'n1', message: expect.stringContaining(changed) as string }]);
    const receipt = await store.load(report.stem);
    const left = receipt.nodes.find((node) => node.id === 'n1');
    expect(left?.undo).toBeDefined();
    expect(left?.error).toContain(changed);
  });
});

describe('recoverInterrupted', () => {
  it('takes the run lock, clears a stale one and recovers every journal', async () => {
    await runWithoutReceipt(4);
    await fs.writeFile(store.layout.lock, JSON.stringify({ pid: 2 ** 22 + 12345, started_at: '2026-11-05T00:00:00.000Z', tool: 'writ', hostname: (await import('node:os')).hostname() }));
    const notes: string[] = [];
    const reports = await recoverInterrupted({ store, actions: registry, tool: 'writ', onNote: (note) => notes.push(note) });
    expect(reports.map((report) => report.state)).toEqual(['rolled_back']);
    expect(notes).toHaveLength(1);
    expect(snapshotTree(home)).toEqual(before);
    await expect(fs.access(store.layout.lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses while a live run holds the lock, leaving its journal alone', async () => {
    const journal = await runWithoutReceipt(2);
    await fs.writeFile(store.layout.lock, JSON.stringify({ pid: process.ppid, started_at: '2026-11-05T00:00:00.000Z', tool: 'writ', hostname: (await import('node:os')).hostname() }));
    await expect(recoverInterrupted({ store, actions: registry, tool: 'writ' })).rejects.toMatchObject({ code: 'locked' });
    await expect(fs.access(journal)).resolves.toBeUndefined();
  });
});

describe('beginRecordedRun', () => {
  it('reserves a suffixed name next to an existing receipt and removes the journal on finish', async () => {
    const existing = plan(1);
    await store.write({ ...existing, state: 'executed' });
    const run = await beginRecordedRun(store, plan(2));
    expect(run.stem).toBe('writ-2026-11-05T00-00-00-000Z-2');
    expect(path.basename(run.journal.path)).toBe('writ-2026-11-05T00-00-00-000Z-2.journal');
    expect(run.backups.root).toBe(path.join(store.layout.backups, run.stem));
    const report = await new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks] }).run(plan(2));
    const written = await run.finish(report.graph);
    expect(path.basename(written.path)).toBe('writ-2026-11-05T00-00-00-000Z-2.yaml');
    expect(await store.journals()).toEqual([]);
    expect((await store.load(written.stem)).state).toBe('executed');
  });

  it('journals the run start, undo registrations before each step, and the run end', async () => {
    const run = await beginRecordedRun(store, plan(2));
    await new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks], jobs: 1 }).run(plan(2));
    await run.journal.close();
    const kinds = (await readJournal(run.journal.path)).records.map((record) => record.kind);
    expect(kinds[0]).toBe('run-start');
    expect(kinds.at(-1)).toBe('run-end');
    // Each step registers before it acts; a step done as registered joins a nodes-done record.
    expect(kinds).toEqual(['run-start', 'undo-registered', 'nodes-done', 'undo-registered', 'nodes-done', 'run-end']);
  });
});
