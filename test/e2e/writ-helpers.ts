import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotTree, type TreeSnapshot } from '../helpers/tree-snapshot.js';

/** The repository root (bin/ and dist/ live here). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A sandbox for one end-to-end case: its own copy of the example repository, home and state. */
export interface Sandbox {
  readonly dir: string;
  readonly repo: string;
  readonly home: string;
  readonly state: string;
  readonly config: string;
  readonly identity: string;
  /** The flags selecting the three layers, the identity and the target. */
  readonly flags: readonly string[];
}

/** Copies fixtures/dotfiles into a fresh temp dir (adopt writes into the repository). */
export async function makeSandbox(): Promise<Sandbox> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'writ-e2e-'));
  const repo = path.join(dir, 'repo');
  await fs.cp(path.join(ROOT, 'fixtures/dotfiles'), repo, { recursive: true, verbatimSymlinks: true });
  const home = path.join(dir, 'home');
  await fs.mkdir(home);
  const identity = path.join(repo, 'test-identity.txt');
  const flags = [
    '--layer', `base=${path.join(repo, 'base')}`,
    '--layer', `team=${path.join(repo, 'team')}`,
    '--layer', `personal=${path.join(repo, 'personal')}`,
    '--target', home,
  ];
  return { dir, repo, home, state: path.join(dir, 'state'), config: path.join(dir, 'config'), identity, flags };
}

/** What one `writ` process did. */
export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment of a writ child: the sandbox's state and config dirs, no colour, no inherited identity. */
export function sandboxEnv(box: Sandbox): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WRIT_LORE_STATE_DIR: box.state, WRIT_LORE_CONFIG_DIR: box.config, NO_COLOR: '1', HOME: box.home };
  delete env['WRIT_LORE_AGE_IDENTITY'];
  delete env['WRIT_REPO'];
  delete env['FORCE_COLOR'];
  return env;
}

/** Starts `node bin/writ.js args…` in the sandbox. */
export function startWrit(box: Sandbox, args: readonly string[]) {
  return spawn(process.execPath, [path.join(ROOT, 'bin/writ.js'), ...args], { cwd: box.dir, env: sandboxEnv(box), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `node bin/writ.js args…` to completion. */
export function writ(box: Sandbox, args: readonly string[]): Promise<Run> {
  const child = startWrit(box, args);
  return finished(child);
}

/** Resolves when the child exits, with its output. */
export function finished(child: ReturnType<typeof startWrit>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The home tree. */
export function snapshotHome(box: Sandbox): Promise<TreeSnapshot> {
  return snapshotTree(box.home);
}

/** Everything the sandbox holds except the repository copy: home, state and config. */
export async function snapshotAll(box: Sandbox): Promise<TreeSnapshot> {
  return snapshotTree(box.dir, { ignore: (p) => p === 'repo' });
}

/** Receipt file names in the state dir. */
export async function receiptNames(box: Sandbox): Promise<string[]> {
  const names = await fs.readdir(path.join(box.state, 'receipts')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.yaml')).sort();
}
