import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiptStore, acquireRunLock, createDefaultRegistry, fileProvider, readJournal, recover } from '../../src/index.js';
// @ts-expect-error: a plain ES module shared with the child process (no type declarations).
import { hasUserFile, seedTrees } from '../fixtures-scripts/crash-plan.mjs';
import { snapshotTree, type SnapshotEntry } from './snapshot.js';

/*
 * SIGKILL crash test (issue 5): a real child process runs a 2,000-node graph of file actions
 * through the built engine (dist/, from `npm test`'s build) with the journal, and kills itself
 * at chosen points (after the n-th durable undo registration, after the n-th completed node, at
 * run end, on a timer, and during recovery itself). Recovery must restore the target tree byte
 * for byte, user files included. Trees live on tmpfs (/dev/shm) when present: SIGKILL loses no
 * page cache, so the disk type does not change what is tested, only the speed.
 */

const COUNT = 2000;
const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, '..', 'fixtures-scripts', 'crash-run.mjs');
const dist = path.join(here, '..', '..', 'dist', 'src', 'index.js');
const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

let work: string;
let repoDir: string;

interface Case {
  readonly stateDir: string;
  readonly targetDir: string;
  readonly before: Record<string, SnapshotEntry>;
}

async function newCase(name: string): Promise<Case> {
  const dir = path.join(work, name);
  const targetDir = path.join(dir, 'home');
  const stateDir = path.join(dir, 'state');
  await fsp.mkdir(targetDir, { recursive: true });
  seedTrees({ targetDir, repoDir: path.join(dir, 'unused-repo'), count: 0 });
  seedUserFiles(targetDir);
  return { stateDir, targetDir, before: snapshotTree(targetDir) };
}

// The user's files only (the repository is shared by all cases).
function seedUserFiles(targetDir: string): void {
  const scratch = path.join(targetDir, '..', 'scratch-repo');
  seedTrees({ targetDir, repoDir: scratch, count: COUNT });
  fs.rmSync(scratch, { recursive: true });
}

function runChild(
  mode: 'run' | 'run-recorded' | 'recover',
  c: Case,
  env: Record<string, string>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, mode, c.stateDir, c.targetDir, repoDir, String(COUNT)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function recoverInProcess(c: Case): Promise<void> {
  const store = new ReceiptStore({ stateDir: c.stateDir });
  const notes: string[] = [];
  const lock = await acquireRunLock(store.layout.lock, { tool: 'writ', onNote: (note) => notes.push(note) });
  try {
    const journals = await store.journals();
    for (const journal of journals) {
      const report = await recover(journal, { store, actions: createDefaultRegistry([fileProvider]) });
      expect(report.failed).toEqual([]);
      expect(report.state).toBe('rolled_back');
      expect((await store.load(report.stem)).state).toBe('rolled_back');
    }
    expect(await store.journals()).toEqual([]);
  } finally {
    await lock.release();
  }
}

function expectRestored(c: Case): void {
  const after = snapshotTree(c.targetDir);
  const differing = Object.keys({ ...c.before, ...after }).filter(
    (key) => JSON.stringify(c.before[key]) !== JSON.stringify(after[key]),
  );
  expect(differing.slice(0, 10)).toEqual([]);
  expect(after).toEqual(c.before);
}

beforeAll(async () => {
  if (!fs.existsSync(dist)) throw new Error(`the crash test runs the built engine: ${dist} is missing (npm run build)`);
  work = await fsp.mkdtemp(path.join(base, 'writ-lore-crash-'));
  repoDir = path.join(work, 'repo');
  seedTrees({ targetDir: path.join(work, 'unused-target'), repoDir, count: COUNT });
});
afterAll(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

let fullRunMs = 1000;
let baseline: { c: Case; result: Awaited<ReturnType<typeof runChild>> };

// The uninterrupted run goes first: the timer kills are fractions of its duration.
beforeAll(async () => {
  const c = await newCase('baseline');
  baseline = { c, result: await runChild('run', c, {}) };
  fullRunMs = Number(baseline.result.stdout.split(' ')[1] ?? 1000);
}, 60_000);

// Cases run concurrently (each is its own child process and directory) to use both cores.
describe.concurrent('crash recovery (SIGKILL)', { timeout: 90_000 }, () => {
  it('runs the whole graph without a kill, writes an executed receipt and removes the journal', async () => {
    const { c, result } = baseline;
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^executed \d+\n$/);
    const store = new ReceiptStore({ stateDir: c.stateDir });
    expect(await store.journals()).toEqual([]);
    const [entry] = await store.list();
    expect(entry === undefined ? undefined : (await store.load(entry.stem)).state).toBe('executed');
    expect(snapshotTree(c.targetDir)).not.toEqual(c.before);
    // Every pre-existing user file was displaced into the run's backups (what recovery restores).
    const userFiles = Array.from({ length: COUNT }, (_, index) => index).filter((index) => hasUserFile(index) as boolean);
    const backups = fs.readdirSync(path.join(c.stateDir, 'backups', entry?.stem ?? ''));
    expect(backups).toHaveLength(userFiles.length);
    expect(userFiles.length).toBeGreaterThan(150);
  });

  const killPoints: readonly string[] = [
    // undo:n counts registrations: a file action registers before its step, and again after it
    // only when its final state differs (a backup was saved), so ~2,200 for 2,000 nodes.
    'undo:1', 'undo:2', 'undo:51', 'undo:334', 'undo:777', 'undo:1100', 'undo:1500', 'undo:1801', 'undo:1999',
    'done:1', 'done:10', 'done:500', 'done:1234', 'done:1998', 'done:2000',
    'end:1',
  ];

  it.each(killPoints)('restores the tree byte for byte after a SIGKILL at %s', async (point) => {
    const c = await newCase(point.replace(':', '-'));
    const result = await runChild('run', c, { KILL_AT: point });
    expect(result.signal).toBe('SIGKILL');
    await recoverInProcess(c);
    expectRestored(c);
  });

  it.each([0.1, 0.35, 0.6])('restores the tree after a timer kill at %s of a full run (or at its end)', async (fraction) => {
    const c = await newCase(`timer-${fraction}`);
    const result = await runChild('run', c, { KILL_AFTER_MS: String(Math.round(fullRunMs * fraction)) });
    expect(result.signal).toBe('SIGKILL');
    await recoverInProcess(c);
    expectRestored(c);
  });

  it.each([
    ['undo:1500', ['compensated:1']],
    ['done:1800', ['compensated:700']],
    ['undo:1801', ['compensated:300', 'compensated:200']],
  ])('finishes a recovery that was itself killed (run killed at %s, recovery at %j)', async (point, recoveryKills) => {
    const c = await newCase(`recovery-${point.replace(':', '-')}-${recoveryKills.length}`);
    expect((await runChild('run', c, { KILL_AT: point })).signal).toBe('SIGKILL');
    for (const kill of recoveryKills) {
      const result = await runChild('recover', c, { KILL_AT: kill });
      expect(result.stderr).toBe('');
      expect(result.signal).toBe('SIGKILL');
    }
    await recoverInProcess(c);
    expectRestored(c);
  });
});

/*
 * The same crashes through runRecorded, as `writ apply` runs: preflight under the run's memo
 * (user files resolved `backup`), and the undo states of steps whose target was free journalled
 * in one batch before the run starts, so those steps do not wait for the journal. A kill
 * between a step's act and any record of it must still be undone from the pre-registration.
 */
describe.concurrent('crash recovery of a recorded run with pre-registered undo (SIGKILL)', { timeout: 90_000 }, () => {
  it('pre-registers the free-path steps: the run commits the journal a handful of times, not per node', async () => {
    const c = await newCase('recorded-baseline');
    const result = await runChild('run-recorded', c, {});
    expect(result.stderr).toBe('');
    const [state, , syncs] = result.stdout.trim().split(' ');
    expect(state).toBe('executed');
    // ~1,000 steps register while running (copies, writes, mkdirs, replaced user files);
    // the ~900 links into free paths do not commit at all.
    expect(Number(syncs)).toBeLessThan(1200);
    expect(snapshotTree(c.targetDir)).not.toEqual(c.before);
  });

  it('journals the pre-registrations durably before the first step acts', async () => {
    const c = await newCase('recorded-first');
    expect((await runChild('run-recorded', c, { KILL_AT: 'undo:1' })).signal).toBe('SIGKILL');
    const [journal] = await new ReceiptStore({ stateDir: c.stateDir }).journals();
    const { records } = await readJournal(journal ?? '');
    // The killed step's own registration is not needed: every free link is journalled already.
    const registered = records.flatMap((record) => (record.kind === 'links-planned' ? record.nodes : record.kind === 'undo-registered' ? [record.node] : []));
    const freeLinks = Array.from({ length: COUNT }, (_, index) => index).filter((index) => index % 10 < 5 && !(hasUserFile(index) as boolean));
    expect(registered.length).toBeGreaterThanOrEqual(freeLinks.length);
    expect(records.some((record) => record.kind === 'node-done' || record.kind === 'nodes-done')).toBe(false);
    await recoverInProcess(c);
    expectRestored(c);
  });

  it.each(['undo:2', 'undo:400', 'undo:1100', 'done:1', 'done:300', 'done:1000', 'done:1999', 'end:1'])(
    'restores the tree byte for byte after a SIGKILL at %s',
    async (point) => {
      const c = await newCase(`recorded-${point.replace(':', '-')}`);
      const result = await runChild('run-recorded', c, { KILL_AT: point });
      expect(result.signal).toBe('SIGKILL');
      await recoverInProcess(c);
      expectRestored(c);
    },
  );

  it.each([0.2, 0.5])('restores the tree after a timer kill at %s of a full run (or at its end)', async (fraction) => {
    const c = await newCase(`recorded-timer-${fraction}`);
    const result = await runChild('run-recorded', c, { KILL_AFTER_MS: String(Math.round(fullRunMs * fraction)) });
    expect(result.signal).toBe('SIGKILL');
    await recoverInProcess(c);
    expectRestored(c);
  });

  it('finishes a recovery that was itself killed', async () => {
    const c = await newCase('recorded-recovery');
    expect((await runChild('run-recorded', c, { KILL_AT: 'done:900' })).signal).toBe('SIGKILL');
    const result = await runChild('recover', c, { KILL_AT: 'compensated:500' });
    expect(result.signal).toBe('SIGKILL');
    await recoverInProcess(c);
    expectRestored(c);
  });
});
