import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ROOT, finished, type Run } from '../e2e/writ-helpers.js';
import { snapshotTree, type SnapshotOptions, type TreeSnapshot } from '../helpers/tree-snapshot.js';

/*
 * Shared setup of the hostile-input suites for writ and receipts: a small one-layer repository
 * (projects shell and git), a home holding one file of the user's, a state and a config dir
 * and a sentinel outside all of them, all in one temp dir that is compared byte for byte
 * before and after every rejected command.
 */

/** The temp dirs of one case. */
export interface HostileWrit {
  readonly dir: string;
  readonly repo: string;
  readonly home: string;
  readonly state: string;
  readonly config: string;
  /** `<dir>/outside/sentinel`: nothing may ever touch it. */
  readonly sentinel: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A fresh {@link HostileWrit}: the repository written, nothing deployed yet. */
export async function hostileWrit(): Promise<HostileWrit> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'writ-hostile-'));
  const repo = path.join(dir, 'repo');
  const home = path.join(dir, 'home');
  const files: Record<string, string> = {
    'writ.yaml': 'projects: [shell, git]\n',
    'Home/shell/.bashrc': 'export PS1=x\n',
    'Home/shell/.profile': '. ~/.bashrc\n',
    'Home/git/.config/git/config': '[user]\n  name = Kim\n',
  };
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(repo, name)), { recursive: true });
    await fs.writeFile(path.join(repo, name), text);
  }
  await fs.mkdir(home);
  await fs.writeFile(path.join(home, 'notes.txt'), 'the user notes\n', { mode: 0o640 });
  const sentinel = path.join(dir, 'outside', 'sentinel');
  await fs.mkdir(path.dirname(sentinel));
  await fs.writeFile(sentinel, 'do not touch\n', { mode: 0o600 });
  const state = path.join(dir, 'state');
  const config = path.join(dir, 'config');
  const env: NodeJS.ProcessEnv = { ...process.env, WRIT_LORE_STATE_DIR: state, WRIT_LORE_CONFIG_DIR: config, NO_COLOR: '1', HOME: home };
  for (const name of ['WRIT_LORE_AGE_IDENTITY', 'WRIT_REPO', 'FORCE_COLOR']) delete env[name];
  return { dir, repo, home, state, config, sentinel, env };
}

/** Runs `body` with a fresh {@link HostileWrit} and removes its temp dir afterwards. */
export async function withHostileWrit(body: (box: HostileWrit) => Promise<void>): Promise<void> {
  const box = await hostileWrit();
  try {
    await body(box);
  } finally {
    await fs.rm(box.dir, { recursive: true, force: true });
  }
}

/** Runs the built `tool` (`writ` or `receipts`) with `args` in the box. */
export function cli(box: HostileWrit, tool: 'writ' | 'receipts' | 'lore', args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', `${tool}.js`), ...args], {
    cwd: box.dir,
    env: box.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child);
}

/** `writ apply` of the box's repository into its home, with `extra` flags or projects. */
export function applyArgs(box: HostileWrit, ...extra: string[]): string[] {
  return ['apply', '--repo', box.repo, '--target', box.home, ...extra];
}

/** Deploys the repository (exit 0 asserted); returns the receipt's path. */
export async function deploy(box: HostileWrit): Promise<string> {
  const result = await cli(box, 'writ', applyArgs(box));
  expect(result.code, result.stderr).toBe(0);
  const names = (await fs.readdir(path.join(box.state, 'receipts'))).filter((name) => name.endsWith('.yaml')).sort();
  return path.join(box.state, 'receipts', names.at(-1) ?? '');
}

/** Saves the plan of the box's repository with `--out` (exit 0 asserted); returns its path. */
export async function savePlan(box: HostileWrit, name = 'plan.yaml'): Promise<string> {
  const file = path.join(box.dir, name);
  const result = await cli(box, 'writ', applyArgs(box, '--dry-run', '--out', file));
  expect(result.code, result.stderr).toBe(0);
  return file;
}

/**
 * The whole box: repository, home, state, config, the sentinel and any plan files, but not
 * `state/cache`: derived data of receipts keyed by their checksum, which reading a receipt
 * may add (it changes no state and nothing any command reports).
 */
export function snapshotBox(box: HostileWrit, options: SnapshotOptions = {}): Promise<TreeSnapshot> {
  const ignore = options.ignore ?? (() => false);
  return snapshotTree(box.dir, { ...options, ignore: (name) => name === 'state/cache' || ignore(name) });
}

/**
 * The assertion of every rejected input: exit `code`, exactly one `<tool>: error:` line
 * matching `message` (anything else only `<tool>: hint:` lines), and no stack trace.
 */
export function expectOneLineError(result: Run, tool: string, code: number, message: RegExp): void {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  const errors = lines.filter((line) => line.startsWith(`${tool}: error: `));
  expect({ code: result.code, errors }, result.stderr).toEqual({ code, errors: [expect.stringMatching(message)] });
  expect(lines.filter((line) => !line.startsWith(`${tool}: error: `) && !line.startsWith(`${tool}: hint: `))).toEqual([]);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** Runs `args` and checks it is rejected as {@link expectOneLineError} says, with the box untouched. */
export async function expectRejected(
  box: HostileWrit,
  tool: 'writ' | 'receipts',
  args: readonly string[],
  code: number,
  message: RegExp,
): Promise<Run> {
  const before = await snapshotBox(box);
  const result = await cli(box, tool, args);
  expectOneLineError(result, tool, code, message);
  expect(await snapshotBox(box)).toEqual(before);
  return result;
}

/** A regular expression matching `text` literally. */
export function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
