import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRegistry } from '../cli/lore-helpers.js';
import { ROOT as REPO_ROOT, makeSandbox, sandboxEnv, writ, type Sandbox } from './writ-helpers.js';

const ROOT = REPO_ROOT;

let root: string;
let prefix: string;
let registry: string;
let env: Record<string, string>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'receipts-lore-e2e-'));
  prefix = join(root, 'prefix');
  registry = join(root, 'registry');
  env = { WRIT_LORE_STATE_DIR: join(root, 'state'), WRIT_LORE_CONFIG_DIR: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache'), NO_COLOR: '1' };
});
afterEach(async () => rm(root, { recursive: true, force: true }));

function run(tool: 'lore' | 'receipts', args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [`bin/${tool}.js`, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function lore(...args: string[]) {
  return run('lore', [...args, '--registry', registry, '--prefix', prefix]);
}

function json(result: { code: number | null; stdout: string; stderr: string }): Record<string, unknown> {
  expect(result.stderr).not.toContain('error');
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('receipts view over lore receipts (built CLI)', () => {
  it('shows a package\'s whole history: install, upgrade, rolled-back upgrade and remove, with versions', () => {
    writeRegistry(registry, [{ name: 'tool', version: '1.0.0' }]);
    expect(lore('install', 'tool').code).toBe(0);
    // Each version links its own name: lore refuses to replace another version's link.
    writeRegistry(registry, [{ name: 'tool', version: '2.0.0', linkTarget: '${prefix}/bin/tool-2' }]);
    expect(lore('install', 'tool').code).toBe(0);
    writeRegistry(registry, [{ name: 'tool', version: '3.0.0', verify: 'fail', linkTarget: '${prefix}/bin/tool-3' }]);
    expect(lore('install', 'tool').code).toBe(1);
    expect(lore('remove', 'tool').code).toBe(0);
    const view = json(run('receipts', ['view', '--package', 'tool', '--json']));
    const history = view['history'] as Record<string, unknown>[];
    expect(history.map((record) => [record['tool'], record['action'], record['version'], record['status'], record['prefix']])).toEqual([
      ['lore', 'install', '1.0.0', 'completed', prefix],
      ['lore', 'upgrade', '2.0.0', 'completed', prefix],
      ['lore', 'upgrade', '3.0.0', 'failed', prefix],
      ['lore', 'remove', '2.0.0', 'completed', prefix],
    ]);
    const table = run('receipts', ['view', '--package', 'tool']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/lore\s+upgrade\s+failed\s+3\.0\.0/);
    expect(table.stdout).toMatch(/lore\s+remove\s+completed\s+2\.0\.0/);
  });

  it('marks packages of a rolled-back install that had been installed as rolled back', () => {
    writeRegistry(registry, [{ name: 'base' }, { name: 'top', depends: ['base'], verify: 'fail' }]);
    expect(lore('install', 'top').code).toBe(1);
    const base = json(run('receipts', ['view', '--package', 'base', '--json']));
    expect((base['history'] as Record<string, unknown>[]).map((record) => [record['action'], record['status']])).toEqual([['install', 'compensated']]);
    expect(run('receipts', ['view', '--package', 'base']).stdout).toMatch(/install\s+rolled back\s+1\.0\.0/);
  });

  it('drops the files of a removed package from the current tree', () => {
    writeRegistry(registry, [{ name: 'kept' }, { name: 'gone' }]);
    expect(lore('install', 'kept', 'gone').code).toBe(0);
    expect(lore('remove', 'gone').code).toBe(0);
    const tree = json(run('receipts', ['view', '--tree', '--json']));
    const paths = (tree['entries'] as { path: string; drift: string }[]).map((entry) => entry.path);
    expect(paths).toContain(join(prefix, 'bin', 'kept'));
    expect(paths.filter((path) => path.includes('gone'))).toEqual([]);
    expect((tree['entries'] as { drift: string }[]).every((entry) => entry.drift === 'ok')).toBe(true);
    const text = run('receipts', ['view', '--tree']);
    expect(text.stdout).not.toContain('gone');
    expect(text.stdout).not.toContain('[missing]');
  });
});

describe('receipts view --tree after writ rollback and remove (built CLI)', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await makeSandbox();
  });
  afterEach(async () => rm(box.dir, { recursive: true, force: true }));

  const treeOf = async (): Promise<Map<string, { kind: string; source: string | null; drift: string }>> => {
    const result = spawnSync(process.execPath, [join(ROOT, 'bin/receipts.js'), 'view', '--tree', '--json'], { env: sandboxEnv(box), encoding: 'utf8' });
    expect(result.status).toBe(0);
    const entries = (JSON.parse(result.stdout) as { entries: { path: string; kind: string; source: string | null; drift: string }[] }).entries;
    return new Map(entries.map((entry) => [relative(box.home, entry.path), entry]));
  };

  it('counts the tree in singular for one item ("1 copy", not "1 copies")', async () => {
    expect((await writ(box, ['apply', ...box.flags, '--identity', box.identity, 'all', 'shell', 'git'])).code).toBe(0);
    const result = spawnSync(process.execPath, [join(ROOT, 'bin/receipts.js'), 'view', '--tree'], { env: sandboxEnv(box), encoding: 'utf8' });
    expect(result.stdout).toMatch(/^\d+ links, 1 copy, 0 directories, 0 secrets, 0 drifted$/m);
  });

  it('shows what a rollback put back, and drops what a remove took away', async () => {
    const apply = () => writ(box, ['apply', ...box.flags, '--identity', box.identity, 'all', 'shell', 'git', 'secrets']);
    expect((await apply()).code).toBe(0);
    await cp(join(box.repo, 'base/Home/shell/.bashrc'), join(box.repo, 'personal/Home/shell/.bashrc'));
    expect((await apply()).code).toBe(0);
    expect((await treeOf()).get('.bashrc')?.source).toBe(join(box.repo, 'personal/Home/shell/.bashrc'));
    expect((await writ(box, ['rollback'])).code).toBe(0);
    expect((await treeOf()).get('.bashrc')).toMatchObject({ kind: 'link', source: join(box.repo, 'base/Home/shell/.bashrc'), drift: 'ok' });
    expect((await writ(box, ['remove', 'shell'])).code).toBe(0);
    const tree = await treeOf();
    expect([...tree.keys()].filter((target) => target.startsWith('.bashrc') || target === '.profile')).toEqual([]);
    expect(tree.get('.inputrc')).toMatchObject({ kind: 'link', drift: 'ok' });
    expect([...tree.values()].every((entry) => entry.drift === 'ok')).toBe(true);
  });
});
