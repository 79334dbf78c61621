import { execFileSync, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parseGraph, type Graph } from '../../src/index.js';
import { ROOT, finished, makeSandbox, sandboxEnv, type Run } from '../e2e/writ-helpers.js';
import { snapshotTree, type TreeSnapshot } from '../helpers/tree-snapshot.js';

/*
 * The harness of the failure-injection and concurrency suites: a writ or lore "subject" (temp
 * dirs, the user's own files in the target, the command line of the run), the built CLI as a
 * child process, and FIFO gates that hold a run at an exact point (src/actions/failpoints.ts)
 * without sleeping.
 */

/** A tool under test with its own temp dirs. `target` (home or prefix) is compared byte for byte. */
export interface Subject {
  readonly tool: 'writ' | 'lore';
  readonly dir: string;
  readonly target: string;
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
  /** `apply …` or `install …`: a run touching several targets, with one backed-up user file (writ). */
  readonly runArgs: readonly string[];
  /** Node ids of the run, in the order a `--jobs 1` run starts them (writ) or by phase (lore). */
  readonly nodes: Readonly<Record<'early' | 'late' | 'copy', string>>;
}

/** A writ subject: the example repository deployed into an empty home, `--jobs 1`. */
export async function writSubject(): Promise<Subject> {
  const box = await makeSandbox();
  const home = box.home;
  return {
    tool: 'writ',
    dir: box.dir,
    target: home,
    state: box.state,
    env: sandboxEnv(box),
    runArgs: ['apply', ...box.flags, '--identity', box.identity, '--conflict', 'backup', '--jobs', '1', 'all', 'shell', 'git', 'secrets'],
    nodes: {
      early: `link:${home}/.bashrc`,
      late: `link:${home}/.profile`,
      copy: `copy:${home}/.config/writ-example/token.env`,
    },
  };
}

/** The user's own files in a writ home: `.bashrc` (displaced and backed up by the run), `.config/git/`. */
export async function seedWritHome(subject: Subject): Promise<void> {
  await fs.writeFile(path.join(subject.target, '.bashrc'), 'the user bashrc\n', { mode: 0o640 });
  await fs.mkdir(path.join(subject.target, '.config', 'git'), { recursive: true });
  await fs.writeFile(path.join(subject.target, '.config', 'git', 'notes.txt'), 'user notes\n');
}

/** A lore subject: `greet` (and its dependency hello-tool) from fixtures/registry into a prefix. */
export async function loreSubject(): Promise<Subject> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lore-quality-'));
  const prefix = path.join(dir, 'prefix');
  await fs.mkdir(prefix);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WRIT_LORE_STATE_DIR: path.join(dir, 'state'),
    WRIT_LORE_CONFIG_DIR: path.join(dir, 'config'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    HOME: path.join(dir, 'home'),
    NO_COLOR: '1',
  };
  delete env['FORCE_COLOR'];
  delete env['LORE_REGISTRY'];
  return {
    tool: 'lore',
    dir,
    target: prefix,
    state: path.join(dir, 'state'),
    env,
    runArgs: ['install', 'greet', '--registry', path.join(ROOT, 'fixtures/registry'), '--prefix', prefix],
    nodes: { early: 'hello-tool.install.1.extract', late: 'greet.install.2.link', copy: 'greet.install.1.extract' },
  };
}

/** The user's own files in a lore prefix: `bin/mine`, which the install must leave alone. */
export async function seedPrefix(subject: Subject): Promise<void> {
  await fs.mkdir(path.join(subject.target, 'bin'), { recursive: true });
  await fs.writeFile(path.join(subject.target, 'bin', 'mine'), 'user data\n', { mode: 0o755 });
}

/** A running CLI child with its eventual result. */
export interface Started {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly done: Promise<Run>;
}

/** Starts `node bin/<tool>.js args…` for the subject, with extra environment (failpoints). */
export function start(subject: Subject, args: readonly string[], extra: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', `${subject.tool}.js`), ...args], {
    cwd: subject.dir,
    env: { ...subject.env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const mine = running.get(subject.dir) ?? new Set<ChildProcess>();
  running.set(subject.dir, mine.add(child));
  child.once('exit', () => mine.delete(child));
  return { child, done: finished(child) };
}

/** Runs the CLI to completion. */
export function run(subject: Subject, args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  return start(subject, args, extra).done;
}

/** The environment arming `rules` (joined with `;`). */
export function failpoints(...rules: string[]): NodeJS.ProcessEnv {
  return { WRITLORE_FAILPOINTS: rules.join(';') };
}

/** The target's whole tree. */
export function snapshotTarget(subject: Subject): Promise<TreeSnapshot> {
  return snapshotTree(subject.target);
}

/** Receipt files (sorted, oldest first). */
export async function receiptNames(subject: Subject): Promise<string[]> {
  const names = await fs.readdir(path.join(subject.state, 'receipts')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.yaml')).sort();
}

/** The newest receipt, parsed. */
export async function latestReceipt(subject: Subject): Promise<Graph> {
  const name = (await receiptNames(subject)).at(-1);
  if (name === undefined) throw new Error(`no receipt in ${subject.state}`);
  return parseGraph(await fs.readFile(path.join(subject.state, 'receipts', name), 'utf8'));
}

/** Journal files left in the state dir (an interrupted run). */
export async function journals(subject: Subject): Promise<string[]> {
  const names = await fs.readdir(path.join(subject.state, 'receipts')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.journal'));
}

/** Children started by {@link start} that have not exited yet, by subject dir. */
const running = new Map<string, Set<ChildProcess>>();

/** Kills what a failed test left running (still held at a gate), then removes the subject's temp dirs. */
export async function cleanUp(subject: Subject | undefined): Promise<void> {
  if (subject === undefined) return;
  for (const child of running.get(subject.dir) ?? []) child.kill('SIGKILL');
  running.delete(subject.dir);
  await fs.rm(subject.dir, { recursive: true, force: true });
}

/** Runs `body` with a fresh, seeded subject of `tool` and cleans up after it (safe in concurrent tests). */
export async function withSubject(tool: Subject['tool'], body: (subject: Subject) => Promise<void>): Promise<void> {
  const subject = tool === 'writ' ? await writSubject() : await loreSubject();
  try {
    await (tool === 'writ' ? seedWritHome(subject) : seedPrefix(subject));
    await body(subject);
  } finally {
    await cleanUp(subject);
  }
}

/**
 * A FIFO a `gate` failpoint reads: the run blocks there until the test opens the FIFO for
 * writing (which returns exactly when the run is at the gate) and closes it again.
 */
export class Gate {
  private constructor(readonly fifo: string) {}

  /** Makes the FIFO `name` in `dir`. */
  static create(dir: string, name = 'gate.fifo'): Gate {
    const fifo = path.join(dir, name);
    execFileSync('mkfifo', [fifo]);
    return new Gate(fifo);
  }

  /** The failpoint rule stopping at `where` (e.g. `at=do,node=…`). */
  rule(where: string): string {
    return `${where},effect=gate,fifo=${this.fifo}`;
  }

  /** Resolves with the FIFO's write end once the child is held at the gate; rejects if it exits first. */
  async reached(started: Started): Promise<FileHandle> {
    const { child } = started;
    let hasExited = child.exitCode !== null || child.signalCode !== null;
    const onExit = (): void => {
      hasExited = true;
      // Our pending open-for-write waits for a reader: be that reader, so it returns.
      void fs.open(this.fifo, constants.O_RDONLY | constants.O_NONBLOCK).then((handle) => handle.close());
    };
    if (hasExited) onExit();
    else child.once('exit', onExit);
    const handle = await fs.open(this.fifo, 'w');
    child.off('exit', onExit);
    if (!hasExited) return handle;
    await handle.close();
    const result = await started.done;
    throw new Error(`${path.basename(this.fifo)}: the child exited (${result.code}) before the gate:\n${result.stderr}`);
  }
}

/** Resolves once the child's stderr has contained `text`; rejects if it exits first. */
export function stderrContains(started: Started, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      started.child.stderr.off('data', onData);
      resolve();
    };
    started.child.stderr.on('data', onData);
    started.child.once('exit', () => reject(new Error(`exited before printing "${text}": ${seen}`)));
  });
}

/** Whether `command args…` succeeds (used once per suite to pick a real or a simulated fault). */
function succeeds(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    // Not permitted here (no root, no CAP_SYS_ADMIN, no such tool): the suite falls back to a failpoint.
    return false;
  }
}

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN); probed once. */
export function canMountTmpfs(): boolean {
  const probe = mkdtempSync(path.join(os.tmpdir(), 'mount-probe-'));
  try {
    if (!succeeds('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe])) return false;
    return succeeds('umount', [probe]);
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Whether `chattr +i` works on the temp dir's filesystem (root, ext4/xfs/btrfs); probed once. */
export function canChattr(): boolean {
  const probe = mkdtempSync(path.join(os.tmpdir(), 'chattr-probe-'));
  const file = path.join(probe, 'file');
  writeFileSync(file, '');
  try {
    if (!succeeds('chattr', ['+i', file])) return false;
    return succeeds('chattr', ['-i', file]);
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `size` (e.g. `256k`) on `dir`; returns the unmount. */
export function mountTmpfs(dir: string, size: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  return () => execFileSync('umount', [dir]);
}

/** Fills the filesystem holding `dir` with `dir/<name>` until a write fails with ENOSPC. */
export async function fillUp(dir: string, name: string): Promise<void> {
  const handle = await fs.open(path.join(dir, name), 'w', 0o644);
  const block = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) await handle.write(block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
}
