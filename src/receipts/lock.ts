import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WritLoreError } from '../graph/index.js';
import type { Clock } from '../actions/index.js';

/**
 * Why a pid-based lock and not a library such as `proper-lockfile`: those decide staleness by
 * mtime (a holder must keep touching the file, and a long run on a busy disk can be declared
 * stale while alive). A writ/lore run is one local process; "is that pid alive" is an exact
 * answer on one host, needs no heartbeat, and lets us name the holder in the message.
 */

/** The environment variable a lock holder sets so that nested calls can be recognised. */
export const LOCK_HOLDER_ENV = 'WRIT_LORE_LOCK_HOLDER';

/** What the lock file says (JSON). */
export interface LockInfo {
  readonly pid: number;
  readonly started_at: string;
  readonly tool: string;
  readonly hostname: string;
}

/** Options of {@link acquireRunLock}. */
export interface RunLockOptions {
  /** The tool taking the lock, for the message another process sees. */
  readonly tool: string;
  /** Time source for `started_at` (default: the wall clock). */
  readonly clock?: Pick<Clock, 'now'>;
  /** Called with a note when a stale lock is cleared. */
  readonly onNote?: (message: string) => void;
  /** The process taking the lock (default `process.pid`; tests pass others). */
  readonly pid?: number;
  /** The environment checked for a nested call (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A held run lock; `release()` removes the lock file if it is still ours. */
export interface RunLock {
  readonly path: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

/**
 * Takes the run lock at `lockPath` (O_EXCL create). A lock left by a dead process on this host
 * is cleared with a note; a live holder is a `locked` error naming it; a holder that is an
 * ancestor of this process (a hook calling `writ` inside a run) is reported as a nested call.
 */
export async function acquireRunLock(lockPath: string, options: RunLockOptions): Promise<RunLock> {
  const clock = options.clock ?? { now: () => new Date() };
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    started_at: clock.now().toISOString(),
    tool: options.tool,
    hostname: os.hostname(),
  };
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await tryCreate(lockPath, info)) return heldLock(lockPath, info);
    const holder = await readLock(lockPath);
    if (holder === undefined) continue; // released between our create and read: try again
    if (isAlive(holder)) throw lockedError(lockPath, holder, options.env ?? process.env);
    await clearStale(lockPath, holder, options.onNote);
  }
  throw new WritLoreError('locked', `could not take the run lock ${lockPath}: it keeps changing hands`, {
    path: lockPath,
  });
}

/** Reads a lock file; undefined when there is none. A malformed file is an error naming it. */
export async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseLockInfo(text, lockPath);
}

function parseLockInfo(text: string, lockPath: string): LockInfo {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text it failed on, newlines included: the message stays one line.
    throw malformed(lockPath, 'not JSON');
  }
  if (typeof value !== 'object' || value === null) throw malformed(lockPath, 'not an object');
  const record = value as Record<string, unknown>;
  const { pid, started_at: startedAt, tool, hostname } = record;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) throw malformed(lockPath, 'bad pid');
  if (typeof startedAt !== 'string' || typeof tool !== 'string' || typeof hostname !== 'string') {
    throw malformed(lockPath, 'missing started_at, tool or hostname');
  }
  return { pid, started_at: startedAt, tool, hostname };
}

function malformed(lockPath: string, why: string): WritLoreError {
  // A lock writ did not write (a live run's lock is always whole: it is created complete).
  return new WritLoreError('invalid-input', `the run lock is not a lock writ or lore wrote (${why})`, {
    path: lockPath,
    hint: 'if no writ or lore run is active, remove the lock file',
  });
}

/**
 * Creates the lock file whole or not at all: the content goes to a temporary file first, which
 * `link` then puts in place (failing with EEXIST when a lock exists), so a reader never sees an
 * empty or half-written lock.
 */
async function tryCreate(lockPath: string, info: LockInfo): Promise<boolean> {
  const temporary = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(info)}\n`, { flag: 'wx', mode: 0o644 });
  try {
    await fs.link(temporary, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

function heldLock(lockPath: string, info: LockInfo): RunLock {
  const previous = process.env[LOCK_HOLDER_ENV];
  if (info.pid === process.pid) process.env[LOCK_HOLDER_ENV] = `${info.pid}@${lockPath}`;
  return {
    path: lockPath,
    info,
    release: async () => {
      if (info.pid === process.pid) {
        if (previous === undefined) delete process.env[LOCK_HOLDER_ENV];
        else process.env[LOCK_HOLDER_ENV] = previous;
      }
      const current = await readLock(lockPath);
      if (current?.pid === info.pid && current.started_at === info.started_at) await fs.unlink(lockPath);
    },
  };
}

/**
 * The holder of the run lock at `lockPath` while it may still be running; undefined when the
 * lock is free or stale. A journal seen while a live run holds the lock is that run's, not an
 * interrupted one.
 */
export async function liveLockHolder(lockPath: string): Promise<LockInfo | undefined> {
  const holder = await readLock(lockPath);
  return holder !== undefined && isAlive(holder) ? holder : undefined;
}

/** Whether the holder may still be running. A lock from another host is assumed alive. */
export function isAlive(holder: LockInfo): boolean {
  if (holder.hostname !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // ESRCH: no such process. EPERM: it exists but belongs to someone else (alive).
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function clearStale(lockPath: string, holder: LockInfo, onNote?: (message: string) => void): Promise<void> {
  // Re-read right before unlinking so that we only remove the stale lock we inspected; the
  // window between this read and the unlink is the one race left, and it needs two processes
  // clearing the same stale lock at the same instant.
  const again = await readLock(lockPath);
  if (again === undefined || again.pid !== holder.pid || again.started_at !== holder.started_at) return;
  await fs.unlink(lockPath);
  onNote?.(
    `cleared a stale run lock left by ${holder.tool} (pid ${holder.pid}, started ${holder.started_at}), which is no longer running`,
  );
}

function lockedError(
  lockPath: string,
  holder: LockInfo,
  env: Readonly<Record<string, string | undefined>>,
): WritLoreError {
  const started = holder.started_at.slice(11, 19);
  if (isNested(holder, lockPath, env)) {
    return new WritLoreError(
      'locked',
      `nested run: this ${holder.tool} process was started from inside a running ${holder.tool} run (pid ${holder.pid}, started ${started}), which holds ${lockPath}`,
      {
        path: lockPath,
        hint: 'a hook or script of a run cannot start another run on the same state dir; read-only commands such as `receipts view` work',
      },
    );
  }
  return new WritLoreError(
    'locked',
    `another ${holder.tool} run (pid ${holder.pid}, started ${started}) holds the run lock`,
    { path: lockPath, hint: 'wait for it to finish, or remove the lock if that process is gone' },
  );
}

function isNested(holder: LockInfo, lockPath: string, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env[LOCK_HOLDER_ENV] === `${holder.pid}@${lockPath}`) return true;
  return ancestors(process.pid).includes(holder.pid);
}

/** The parent chain of `pid` from /proc (Linux); empty where /proc is not available. */
function ancestors(pid: number): number[] {
  const chain: number[] = [];
  let current = pid;
  for (let depth = 0; depth < 64 && current > 1; depth += 1) {
    const parent = parentOf(current);
    if (parent === undefined) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

function parentOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // No /proc (macOS) or the process is gone: the env variable check is what remains.
    if (error instanceof Error) return undefined;
    throw error;
  }
  // The command name (field 2) is parenthesised and may contain spaces: parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const parent = Number(fields[1]);
  return Number.isInteger(parent) && parent > 0 ? parent : undefined;
}

