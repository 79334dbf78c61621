import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  FsMemo,
  Plan,
  ReceiptStore,
  WritLoreError,
  acquireRunLock,
  createDefaultRegistry,
  hydrate,
  preflight,
  runRecorded,
  systemClock,
  type ExecutorHooks,
  type Graph,
} from '../../src/index.js';
import { readJournal } from '../../src/receipts/journal.js';
import type { JournalRecord } from '../../src/receipts/journal-records.js';
import { replayJournal } from '../../src/receipts/replay.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

const registry = createDefaultRegistry();
let work: string;
let repo: string;
let target: string;
let stateDir: string;

beforeEach(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'writ-lore-run-recorded-'));
  repo = path.join(work, 'repo');
  target = path.join(work, 'home');
  stateDir = path.join(work, 'state');
  await fs.mkdir(repo);
  await fs.mkdir(target);
  for (const name of ['a', 'b', 'c']) await fs.writeFile(path.join(repo, name), `${name}\n`);
  await fs.writeFile(path.join(target, 'keep'), 'the user file\n');
});

afterEach(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

/** Links `a`, `b`, `c` into the target; `extra` adds nodes (a failing one, a conflicting one). */
function plan(extra?: (plan: Plan) => void): Graph {
  const p = new Plan(registry, { tool: 'writ', context: { target_root: target } });
  for (const name of ['a', 'b', 'c']) p.link(path.join(repo, name), path.join(target, `.${name}`));
  extra?.(p);
  return p.graph();
}

const store = () => new ReceiptStore({ stateDir });
const options = () => ({ store: store(), registry, handleSignals: false, jobs: 2 });

async function receipts(): Promise<string[]> {
  return (await fs.readdir(path.join(stateDir, 'receipts')).catch(() => [])).sort();
}

describe('runRecorded', () => {
  it('writes a receipt, removes the journal and releases the lock when the run succeeds', async () => {
    const { report, receipt } = await runRecorded(plan(), options());
    expect(report.state).toBe('executed');
    expect(receipt.graph.state).toBe('executed');
    expect(await receipts()).toEqual([path.basename(receipt.path)]);
    expect(await fs.readlink(path.join(target, '.a'))).toBe(path.join(repo, 'a'));
    await expect(fs.lstat(path.join(stateDir, 'lock'))).rejects.toThrow(/ENOENT/);
    expect((await store().load(receipt.stem)).state).toBe('executed');
  });

  it('rolls back when a node fails on a missing source, restoring a displaced file byte for byte', async () => {
    await fs.writeFile(path.join(target, '.b'), 'the user .b\n');
    const before = await snapshotTree(target);
    const failing = plan((p) => p.copy(path.join(repo, 'missing'), path.join(target, '.z')));
    const { report, receipt } = await runRecorded(failing, {
      ...options(),
      preflight: { resolution: 'backup' },
    });
    expect(report.state).toBe('rolled_back');
    expect(receipt.graph.state).toBe('rolled_back');
    expect(await snapshotTree(target)).toEqual(before);
    expect(await receipts()).toEqual([path.basename(receipt.path)]);
  });

  it('throws the ConflictError before any change when a conflict resolves to stop', async () => {
    await fs.writeFile(path.join(target, '.b'), 'the user .b\n');
    const before = await snapshotTree(target);
    const error = await runRecorded(plan(), options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).conflicts.map((c) => c.path)).toEqual([path.join(target, '.b')]);
    expect(await snapshotTree(target)).toEqual(before);
    expect(await receipts()).toEqual([]);
    await expect(fs.lstat(path.join(stateDir, 'lock'))).rejects.toThrow(/ENOENT/);
    await expect(fs.lstat(path.join(stateDir, 'backups'))).rejects.toThrow(/ENOENT/);
  });

  it('backs a conflicting file up and records it when the resolution is backup', async () => {
    await fs.writeFile(path.join(target, '.b'), 'the user .b\n');
    const { report } = await runRecorded(plan(), { ...options(), preflight: { resolution: 'backup' } });
    expect(report.state).toBe('executed');
    expect(await fs.readlink(path.join(target, '.b'))).toBe(path.join(repo, 'b'));
    const node = report.graph.nodes.find((n) => n.id.includes('.b'));
    expect(JSON.stringify(node?.undo)).toContain('backup');
  });

  it('runs around nodes that preflight skipped and records them skipped in the receipt', async () => {
    await fs.writeFile(path.join(target, '.b'), 'the user .b\n');
    const { report, receipt } = await runRecorded(plan(), { ...options(), preflight: { resolution: 'skip' } });
    expect(report.state).toBe('executed');
    expect(await fs.readFile(path.join(target, '.b'), 'utf8')).toBe('the user .b\n');
    expect(await fs.readlink(path.join(target, '.a'))).toBe(path.join(repo, 'a'));
    const statuses = receipt.graph.nodes.map((node) => [path.basename(node.id), node.status]);
    expect(statuses).toEqual([['.a', 'completed'], ['.b', 'skipped'], ['.c', 'completed']]);
    expect(receipt.graph.summary?.by_status).toEqual({ completed: 2, skipped: 1 });
  });

  it('refuses with a locked error while a live process holds the lock, changing nothing', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await fs.mkdir(stateDir, { recursive: true });
      const held = await acquireRunLock(path.join(stateDir, 'lock'), { tool: 'lore', pid: child.pid! });
      const before = await snapshotTree(target);
      const error = await runRecorded(plan(), options()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WritLoreError);
      expect((error as WritLoreError).code).toBe('locked');
      expect((error as WritLoreError).message).toContain(`pid ${child.pid}`);
      expect(await snapshotTree(target)).toEqual(before);
      expect(await fs.readFile(held.path, 'utf8')).toContain(String(child.pid));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to start while an interrupted run waits for recovery', async () => {
    await fs.mkdir(path.join(stateDir, 'receipts'), { recursive: true });
    await fs.writeFile(path.join(stateDir, 'receipts', 'writ-2026-01-01T00-00-00-000Z.journal'), '');
    const error = await runRecorded(plan(), options()).catch((caught: unknown) => caught);
    expect((error as WritLoreError).code).toBe('locked');
    expect((error as WritLoreError).hint).toContain('writ recover');
    await expect(fs.lstat(path.join(target, '.a'))).rejects.toThrow(/ENOENT/);
  });

  it('compensates and records rolled_back when its signal aborts mid-run', async () => {
    const before = await snapshotTree(target);
    const controller = new AbortController();
    let started = 0;
    const { report, receipt } = await runRecorded(plan(), {
      ...options(),
      jobs: 1,
      signal: controller.signal,
      hooks: [{ onNodeComplete: () => { started += 1; if (started === 2) controller.abort(); } }],
    });
    expect(report.state).toBe('rolled_back');
    expect(receipt.graph.state).toBe('rolled_back');
    expect(await snapshotTree(target)).toEqual(before);
  });

  it('aborts the run on SIGINT and ignores a second signal while compensating', async () => {
    const before = await snapshotTree(target);
    const listeners = process.listenerCount('SIGINT');
    const notes: string[] = [];
    let completed = 0;
    const { report } = await runRecorded(plan(), {
      ...options(),
      handleSignals: true,
      jobs: 1,
      onNote: (note) => notes.push(note),
      hooks: [
        {
          onNodeComplete: () => {
            completed += 1;
            if (completed === 1) process.emit('SIGINT');
          },
          onCompensate: () => {
            if (notes.length === 1) process.emit('SIGTERM');
          },
        },
      ],
    });
    expect(report.state).toBe('rolled_back');
    expect(notes[0]).toMatch(/SIGINT received/);
    expect(notes[1]).toMatch(/SIGTERM received again: still rolling back/);
    expect(await snapshotTree(target)).toEqual(before);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});

describe('runRecorded with a preflight made under the lock', () => {
  /** Takes the lock and probes as `writ apply` does, then runs with what the probes saw. */
  async function probedUnderLock(graph: Graph, resolution: 'stop' | 'skip' | 'backup' = 'stop') {
    const lock = await acquireRunLock(path.join(stateDir, 'lock'), { tool: 'writ' });
    const memo = new FsMemo();
    const ctx = { nodeId: '', signal: new AbortController().signal, clock: systemClock, data: {}, log: { info: () => {}, warn: () => {} }, memo };
    const report = await preflight(graph, hydrate(graph, registry), ctx, { resolution });
    return { lock, probed: { report, memo } };
  }

  it('applies the given report instead of probing again, and creates each link with no second look', async () => {
    const graph = plan((p) => p.link(path.join(repo, 'a'), path.join(target, 'deep', 'dir', '.a')));
    const { lock, probed } = await probedUnderLock(graph);
    try {
      const { report } = await runRecorded(graph, { ...options(), lock: false, probed });
      expect(report.state).toBe('executed');
      expect(await fs.readlink(path.join(target, 'deep', 'dir', '.a'))).toBe(path.join(repo, 'a'));
      // Every free path was taken by its step: the memo answered them all.
      expect(graph.nodes.filter((node) => probed.memo.isFree(node.slots['path']?.kind === 'immediate' ? String(node.slots['path'].value) : ''))).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it('honours the given report: a conflict resolved skip is skipped without being probed again', async () => {
    await fs.writeFile(path.join(target, '.b'), 'the user .b\n');
    const graph = plan();
    const { lock, probed } = await probedUnderLock(graph, 'skip');
    try {
      const { report } = await runRecorded(graph, { ...options(), lock: false, probed });
      expect(report.graph.nodes.map((node) => node.status)).toEqual(['completed', 'skipped', 'completed']);
      expect(await fs.readFile(path.join(target, '.b'), 'utf8')).toBe('the user .b\n');
    } finally {
      await lock.release();
    }
  });

  it('fails and rolls back, leaving it alone, when an item appears at a probed-free path before its step', async () => {
    const graph = plan();
    const { lock, probed } = await probedUnderLock(graph);
    const before = await snapshotTree(target);
    await fs.writeFile(path.join(target, '.c'), 'appeared after the probe\n');
    try {
      const { report } = await runRecorded(graph, { ...options(), jobs: 1, lock: false, probed });
      expect(report.state).not.toBe('executed');
      expect(await fs.readFile(path.join(target, '.c'), 'utf8')).toBe('appeared after the probe\n');
      await expect(fs.lstat(path.join(target, '.a'))).rejects.toThrow(/ENOENT/);
      await fs.rm(path.join(target, '.c'));
      expect(await snapshotTree(target)).toEqual(before);
    } finally {
      await lock.release();
    }
  });

  /** The journal's records, read by a hook at the end of the run (before the journal is removed). */
  function journalAtRunEnd(): { records: () => readonly JournalRecord[]; hooks: ExecutorHooks[] } {
    let records: readonly JournalRecord[] = [];
    const read = async (): Promise<void> => {
      const dir = path.join(stateDir, 'receipts');
      const [file] = readdirSync(dir).filter((name) => name.endsWith('.journal'));
      records = (await readJournal(path.join(dir, file ?? ''))).records;
    };
    return { records: () => records, hooks: [{ onRunEnd: read }] };
  }

  /** Node ids in the order their undo was first journalled (pre-registered or registered). */
  function registrationOrder(records: readonly JournalRecord[]): string[] {
    return records.flatMap((record) => (record.kind === 'links-planned' ? record.nodes : record.kind === 'undo-registered' ? [record.node] : []));
  }

  /** Node ids journalled as done, one by one or in shared records. */
  function doneNodes(records: readonly JournalRecord[]): string[] {
    return records.flatMap((record) => (record.kind === 'nodes-done' ? record.nodes : record.kind === 'node-done' ? [record.node] : []));
  }

  /** Probes `graph` under the lock, runs it recorded, and returns the report and the journal's records. */
  async function runJournalled(graph: Graph, resolution?: Parameters<typeof probedUnderLock>[1]) {
    const { lock, probed } = await probedUnderLock(graph, resolution);
    const journal = journalAtRunEnd();
    try {
      const { report } = await runRecorded(graph, { ...options(), lock: false, probed, hooks: journal.hooks });
      expect(report.state).toBe('executed');
      return { report, records: journal.records() };
    } finally {
      await lock.release();
    }
  }

  it('journals the undo each free-path step will register before the run, and the steps add no registration', async () => {
    const graph = plan((p) => p.link(path.join(repo, 'a'), path.join(target, 'deep', 'dir', '.a')));
    const { report, records } = await runJournalled(graph);
    // run-start, the four links in one links-planned record, then the steps done as registered.
    expect(records.map((record) => record.kind)).toEqual(['run-start', 'links-planned', 'nodes-done', 'run-end']);
    expect(registrationOrder(records)).toEqual(graph.nodes.map((node) => node.id));
    expect(doneNodes(records)).toEqual(graph.nodes.map((node) => node.id));
    // Replayed, the journal holds the undo states the steps registered: the predicted ones.
    const replayed = replayJournal(records);
    for (const node of report.graph.nodes) {
      expect(replayed.nodes.find((entry) => entry.node === node.id)).toMatchObject({ status: 'completed', undo: node.undo });
    }
  });

  it('does not pre-register a step whose path lies inside another step\'s path: it registers after that step', async () => {
    const graph = plan((p) => {
      const dir = p.mkdir(path.join(target, 'made'));
      const inside = p.link(path.join(repo, 'b'), path.join(target, 'made', '.b'));
      p.orders(dir, inside);
    });
    const { report, records } = await runJournalled(graph);
    expect(records[1]?.kind).toBe('links-planned');
    const registrations = registrationOrder(records);
    const [mkdirNode, insideNode] = report.graph.nodes.slice(3).map((node) => node.id);
    expect(registrations.slice(0, 3)).toEqual(report.graph.nodes.slice(0, 3).map((node) => node.id));
    expect(registrations.indexOf(insideNode ?? '')).toBeGreaterThan(registrations.indexOf(mkdirNode ?? ''));
  });

  it('pre-registers nothing when the run cannot trust its free paths (two steps write one path)', async () => {
    const graph = plan((p) => {
      const first = p.link(path.join(repo, 'a'), path.join(target, '.twice'));
      const second = p.link(path.join(repo, 'b'), path.join(target, '.twice'));
      p.orders(first, second);
    });
    const { records } = await runJournalled(graph, 'backup');
    const kinds = records.map((record) => record.kind);
    expect(kinds).not.toContain('links-planned');
    expect(kinds[1]).toBe('undo-registered');
    // Registered as each step ran: a step's registration follows the steps done before it.
    expect(doneNodes(records)).toHaveLength(5);
    expect(kinds.findIndex((kind) => kind === 'node-done' || kind === 'nodes-done')).toBeLessThan(kinds.lastIndexOf('undo-registered'));
  });
});
