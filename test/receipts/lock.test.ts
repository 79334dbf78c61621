import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_HOLDER_ENV, acquireRunLock, liveLockHolder, readLock } from '../../src/index.js';
import { makeTempDir, removeTempDir } from './helpers.js';

let dir: string;
let lockPath: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-lock-');
  lockPath = path.join(dir, 'state', 'lock');
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await removeTempDir(dir);
});

/** A real process that stays alive until killed. */
function liveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid ?? 0));
    child.once('error', reject);
  });
}

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('exit', () => resolve(child.pid ?? 0));
    child.once('error', reject);
  });
}

async function writeLock(pid: number): Promise<void> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const info = { pid, started_at: '2026-11-01T12:01:03.000Z', tool: 'writ', hostname: os.hostname() };
  await fs.writeFile(lockPath, JSON.stringify(info));
}

describe('acquireRunLock', () => {
  it('writes pid, start time, tool and host, and removes the lock on release', async () => {
    const clock = { now: () => new Date('2026-11-01T00:00:00.000Z') };
    const lock = await acquireRunLock(lockPath, { tool: 'lore', clock });
    expect(await readLock(lockPath)).toEqual({
      pid: process.pid,
      started_at: '2026-11-01T00:00:00.000Z',
      tool: 'lore',
      hostname: os.hostname(),
    });
    await lock.release();
    expect(await readLock(lockPath)).toBeUndefined();
  });

  it('refuses while another live process holds the lock, naming it', async () => {
    const pid = await liveProcess();
    await writeLock(pid);
    await expect(acquireRunLock(lockPath, { tool: 'writ' })).rejects.toMatchObject({
      code: 'locked',
      message: `another writ run (pid ${pid}, started 12:01:03) holds the run lock`,
      hint: 'wait for it to finish, or remove the lock if that process is gone',
    });
  });

  it('clears a lock left by a dead process, with a note', async () => {
    const pid = await deadPid();
    await writeLock(pid);
    const notes: string[] = [];
    const lock = await acquireRunLock(lockPath, { tool: 'writ', onNote: (note) => notes.push(note) });
    expect(notes).toEqual([expect.stringContaining(`stale run lock left by writ (pid ${pid}`)]);
    expect((await readLock(lockPath))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('reports a nested call from inside a run (the holder is an ancestor)', async () => {
    await writeLock(process.ppid);
    await expect(acquireRunLock(lockPath, { tool: 'writ' })).rejects.toThrow(/^nested run: this writ process was started from inside a running writ run/);
  });

  it('reports a nested call recognised through the inherited environment variable', async () => {
    const pid = await liveProcess();
    await writeLock(pid);
    const env = { [LOCK_HOLDER_ENV]: `${pid}@${lockPath}` };
    await expect(acquireRunLock(lockPath, { tool: 'writ', env })).rejects.toThrow(/nested run/);
  });

  it('sets the holder variable for child processes while held', async () => {
    const lock = await acquireRunLock(lockPath, { tool: 'writ' });
    expect(process.env[LOCK_HOLDER_ENV]).toBe(`${process.pid}@${lockPath}`);
    await lock.release();
    expect(process.env[LOCK_HOLDER_ENV]).toBeUndefined();
  });

  it('names an unreadable lock file as bad input, in one line', async () => {
    await fs.mkdir(path.dirname(lockPath), { recursive: true });
    await fs.writeFile(lockPath, 'garbage\n');
    await expect(acquireRunLock(lockPath, { tool: 'writ' })).rejects.toMatchObject({
      code: 'invalid-input',
      path: lockPath,
      message: 'the run lock is not a lock writ or lore wrote (not JSON)',
    });
  });

  it('does not remove a lock that another process took over', async () => {
    const lock = await acquireRunLock(lockPath, { tool: 'writ' });
    const pid = await liveProcess();
    await writeLock(pid);
    await lock.release();
    expect((await readLock(lockPath))?.pid).toBe(pid);
  });
});

describe('liveLockHolder', () => {
  it('names a live holder, and nothing for no lock or a dead holder', async () => {
    expect(await liveLockHolder(lockPath)).toBeUndefined();
    await writeLock(await deadPid());
    expect(await liveLockHolder(lockPath)).toBeUndefined();
    const pid = await liveProcess();
    await writeLock(pid);
    expect((await liveLockHolder(lockPath))?.pid).toBe(pid);
  });
});

describe('lock file creation', () => {
  it('never shows a reader an empty or partial lock file while it is being taken', async () => {
    await fs.mkdir(path.dirname(lockPath), { recursive: true });
    let taking = true;
    const seen: string[] = [];
    const reader = (async () => {
      while (taking) {
        try {
          seen.push(await fs.readFile(lockPath, 'utf8'));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    })();
    for (let round = 0; round < 300; round += 1) {
      const lock = await acquireRunLock(lockPath, { tool: 'writ' });
      await lock.release();
    }
    taking = false;
    await reader;
    expect(seen.filter((text) => !text.endsWith('}\n'))).toEqual([]);
  });
});
