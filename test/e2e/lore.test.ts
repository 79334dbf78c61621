import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReceiptStore } from '../../src/index.js';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { writeRegistry } from '../cli/lore-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let root: string;
let env: Record<string, string>;
let prefix: string;
let server: TestHttpServer | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lore-e2e-'));
  prefix = join(root, 'prefix');
  await mkdir(join(prefix, 'bin'), { recursive: true });
  await writeFile(join(prefix, 'bin', 'mine'), 'user data\n');
  env = { WRIT_LORE_STATE_DIR: join(root, 'state'), WRIT_LORE_CONFIG_DIR: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache'), NO_COLOR: '1' };
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(root, { recursive: true, force: true });
});

function lore(args: readonly string[]) {
  return spawnSync(process.execPath, ['bin/lore.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** A registry whose second package's provision hook tells `server` its pid, then hangs. */
function writeStuckRegistry(registry: string, url: string): void {
  const hook = `fetch("${url}/started/" + process.pid); setInterval(() => {}, 1000)`;
  writeRegistry(registry, [
    { name: 'first' },
    { name: 'stuck', depends: ['first'], provision: [`      - exec: { argv: ["${process.execPath}", -e, '${hook}'] }`] },
  ]);
}

describe('the built lore CLI', () => {
  it('installs the example registry into a fresh prefix, lists it and removes it', async () => {
    const before = await snapshotTree(prefix);
    const install = lore(['install', 'greet', '--registry', 'fixtures/registry', '--prefix', prefix]);
    expect(install.stderr).not.toContain('error');
    expect(install.status).toBe(0);
    expect(install.stdout).toMatch(/installed hello-tool 1\.0\.0, greet 1\.0\.0 into .* — receipt lore-/);
    const run = spawnSync(join(prefix, 'bin', 'greet'), [], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(lore(['list']).stdout).toMatch(/greet\s+1\.0\.0/);
    expect(lore(['remove', 'greet', 'hello-tool', '--prefix', prefix]).status).toBe(0);
    expect(await snapshotTree(prefix)).toEqual(before);
  });

  it('rolls back an install killed with SIGKILL when "lore recover" runs', async () => {
    server = await startHttpServer({});
    const registry = join(root, 'registry');
    writeStuckRegistry(registry, server.url);
    const before = await snapshotTree(prefix);
    const child = spawn(process.execPath, ['bin/lore.js', 'install', 'stuck', '--registry', registry, '--prefix', prefix], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await server.waitForRequests(1);
    const hookPid = Number(server.requests[0]?.path.split('/').pop());
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    process.kill(hookPid, 'SIGKILL');
    await exited;
    const journals = (await readdir(join(root, 'state', 'receipts'))).filter((name) => name.endsWith('.journal'));
    expect(journals).toHaveLength(1);
    const blocked = lore(['install', 'greet', '--registry', 'fixtures/registry', '--prefix', prefix]);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain('has not been recovered');
    const recover = lore(['recover']);
    expect(recover.status).toBe(0);
    // Newest first: the half-run hook (it has no undo), then every completed step in reverse.
    expect(recover.stderr).toContain('stuck.provision.1.exec not-compensable\n  stuck.install.2.link compensated');
    expect(recover.stderr).toContain('first.install.1.extract compensated\n  first.prepare.1.download compensated\n');
    expect(recover.stdout).toMatch(/lore-.*: recovered, rolled_back, \d+ undone/);
    expect(await snapshotTree(prefix)).toEqual(before);
    const store = new ReceiptStore({ stateDir: join(root, 'state') });
    const [entry] = await store.list();
    expect((await store.load(entry?.stem ?? '')).state).toBe('rolled_back');
    expect(lore(['recover']).stdout).toContain('nothing to recover');
  });

  it('rolls back and writes a rolled_back receipt on SIGINT, killing the running hook', async () => {
    server = await startHttpServer({});
    const registry = join(root, 'registry');
    writeStuckRegistry(registry, server.url);
    const before = await snapshotTree(prefix);
    const child = spawn(process.execPath, ['bin/lore.js', 'install', 'stuck', '--registry', registry, '--prefix', prefix], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await server.waitForRequests(1);
    const hookPid = Number(server.requests[0]?.path.split('/').pop());
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('not installed');
    expect(() => process.kill(hookPid, 0)).toThrow();
    expect(await snapshotTree(prefix)).toEqual(before);
    const store = new ReceiptStore({ stateDir: join(root, 'state') });
    const [entry] = await store.list();
    expect((await store.load(entry?.stem ?? '')).state).toBe('rolled_back');
    expect(await store.journals()).toEqual([]);
  });
});
