import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReceiptStore, computeChecksum, parseGraph, type Graph } from '../../src/index.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { sampleGraph } from '../receipts/helpers.js';
import type { TestHttpServer } from '../helpers/http-server.js';
import { registryRoutes, runLore, serveRegistry, startGatedServer, writeRegistry, type LoreDirs } from './lore-helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/registry', import.meta.url));

let root: string;
let dirs: LoreDirs;
let servers: { close(): Promise<void> }[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lore-cli-'));
  dirs = { state: join(root, 'state'), config: join(root, 'config'), cache: join(root, 'cache'), prefix: join(root, 'prefix') };
  await mkdir(join(dirs.prefix, 'bin'), { recursive: true });
  // Something of the user's in the prefix: a rollback must leave it exactly as it was.
  await writeFile(join(dirs.prefix, 'bin', 'mine'), '#!/bin/sh\n', { mode: 0o755 });
  servers = [];
});

afterEach(async () => {
  for (const server of servers) await server.close();
  await rm(root, { recursive: true, force: true });
});

async function serve(registry: string, overrides: Parameters<typeof serveRegistry>[1] = {}): Promise<TestHttpServer> {
  const server = await serveRegistry(registry, overrides);
  servers.push(server);
  return server;
}

async function receipts(): Promise<Graph[]> {
  const store = new ReceiptStore({ stateDir: dirs.state });
  const entries = await store.list();
  return Promise.all(entries.map((entry) => store.load(entry.stem)));
}

async function testRegistry(packages: Parameters<typeof writeRegistry>[1]): Promise<string> {
  const registry = join(root, 'registry');
  writeRegistry(registry, packages);
  return registry;
}

describe('lore install', () => {
  it('installs a package and its dependency from a directory registry and writes an executed receipt', async () => {
    const result = await runLore(['install', 'greet', '--registry', FIXTURE], dirs);
    expect(result.stderr).toContain('✓ phase.hello-tool.prepare');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/hello-tool\s+1\.0\.0\s+dependency of greet/);
    expect(result.stdout).toMatch(/installed hello-tool 1\.0\.0, greet 1\.0\.0 into .* in \d+\.\d s — receipt lore-.*\.yaml/);
    const [receipt] = await receipts();
    expect(receipt?.state).toBe('executed');
    expect(receipt?.context.packages).toEqual(['hello-tool@1.0.0', 'greet@1.0.0']);
    expect(receipt?.phases?.map((phase) => phase.id)).toContain('phase.greet.verify');
    const tree = await snapshotTree(dirs.prefix);
    expect(tree['bin/greet']).toEqual({ type: 'symlink', link_target: join(dirs.prefix, 'lib/lore/greet/1.0.0/bin/greet') });
  });

  it('says so and writes nothing when the same versions are already installed', async () => {
    await runLore(['install', 'greet', '--registry', FIXTURE], dirs);
    const before = await snapshotTree(root);
    const again = await runLore(['install', 'greet', '--registry', FIXTURE], dirs);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already installed');
    expect(again.stdout).toContain('nothing to do');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('prints the purchase order on --dry-run and writes nothing to the prefix or the state dir', async () => {
    await mkdir(dirs.state, { recursive: true });
    const before = await snapshotTree(root);
    const result = await runLore(['install', 'greet', '--registry', FIXTURE, '--dry-run'], dirs);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('phase.hello-tool.prepare  (retry: 3 attempts, exponential)');
    expect(result.stdout).toMatch(/net\.download\s+.*hello-tool-1\.0\.0\.tar\.gz/);
    expect(result.stdout).toMatch(/file\.link\s+.*\/bin\/greet/);
    expect(result.stdout).toMatch(/hello-tool-1\.0\.0\.tar\.gz\s+\(416 B\)/);
    expect(result.stdout).toContain('Will create');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('saves the plan with --out, sealed with a checksum for its file name', async () => {
    const file = join(root, 'greet.plan.yaml');
    const result = await runLore(['install', 'greet', '--registry', FIXTURE, '--dry-run', '--out', file], dirs);
    expect(result.code).toBe(0);
    const plan = parseGraph(await readFile(file, 'utf8'), { path: file });
    expect(plan.state).toBe('pending');
    expect(plan.checksum).toBe(computeChecksum(plan, 'greet.plan.yaml'));
    expect(plan.phases?.map((phase) => phase.id)).toEqual([
      'phase.hello-tool.prepare', 'phase.hello-tool.install', 'phase.hello-tool.verify',
      'phase.greet.prepare', 'phase.greet.install', 'phase.greet.verify',
    ]);
  });

  it('shows download sizes from the server on a dry run over HTTP', async () => {
    const server = await serve(FIXTURE);
    const result = await runLore(['install', 'hello-tool', '--registry', server.url, '--dry-run', '--json'], dirs);
    expect(result.code).toBe(0);
    const order = JSON.parse(result.stdout) as { order: { downloads: { url: string; size?: number }[] } };
    expect(order.order.downloads).toEqual([expect.objectContaining({ url: `${server.url}/files/hello-tool-1.0.0.tar.gz`, size: 416 })]);
    expect(server.requests.filter((request) => request.method === 'HEAD')).toHaveLength(1);
    expect(server.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/files/'))).toHaveLength(0);
  });

  it('installs, re-installs as a no-op and removes over HTTP, leaving the prefix as it was', async () => {
    const server = await serve(FIXTURE);
    const before = await snapshotTree(dirs.prefix);
    expect((await runLore(['install', 'greet', '--registry', server.url], dirs)).code).toBe(0);
    expect((await runLore(['install', 'greet', '--registry', server.url], dirs)).stdout).toContain('nothing to do');
    const refused = await runLore(['remove', 'hello-tool'], dirs);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('lore: error: package "hello-tool" is a dependency of greet');
    const removed = await runLore(['remove', 'greet', 'hello-tool'], dirs);
    expect(removed.stdout).toMatch(/removed greet 1\.0\.0, hello-tool 1\.0\.0 from /);
    expect(removed.code).toBe(0);
    expect(await snapshotTree(dirs.prefix)).toEqual(before);
    const listed = await runLore(['list', '--json'], dirs);
    expect(JSON.parse(listed.stdout)).toEqual({ version: 1, packages: [] });
  });

  it('retries a download that fails twice with exponential backoff and records the attempts', async () => {
    const registry = await testRegistry([{ name: 'flaky', retry: '{ max_attempts: 3, backoff: exponential, initial_delay: 1ms }' }]);
    const server = await serve(registry, { '/files/flaky-1.0.0.tar.gz': { failFirst: 2 } });
    const result = await runLore(['install', 'flaky', '--registry', server.url], dirs);
    expect(result.code).toBe(0);
    const [receipt] = await receipts();
    const prepare = receipt?.phases?.find((phase) => phase.id === 'phase.flaky.prepare');
    expect(prepare?.attempts?.map((attempt) => attempt.status)).toEqual(['failed', 'completed']);
    expect(prepare?.attempts?.[0]?.error).toContain('HTTP 503');
    const archive = server.requests.filter((request) => request.path === '/files/flaky-1.0.0.tar.gz' && request.method === 'GET');
    expect(archive.map((request) => request.outcome)).toEqual([503, 503, 200]);
  });

  it('fails the download phase on a wrong checksum and leaves nothing in the prefix', async () => {
    const registry = await testRegistry([{ name: 'tampered', sha256: 'a'.repeat(64) }]);
    const server = await serve(registry);
    const before = await snapshotTree(dirs.prefix);
    const result = await runLore(['install', 'tampered', '--registry', server.url], dirs);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('phase.tampered.prepare failed');
    expect(result.stdout).toContain('sha256 mismatch');
    expect(await snapshotTree(dirs.prefix)).toEqual(before);
    const [receipt] = await receipts();
    expect(receipt?.state).toBe('rolled_back');
  });

  it('compensates every earlier phase in reverse order when verify fails, restoring the prefix byte for byte', async () => {
    const registry = await testRegistry([{ name: 'base' }, { name: 'bad', depends: ['base'], verify: 'fail' }]);
    const before = await snapshotTree(dirs.prefix);
    const result = await runLore(['install', 'bad', '--registry', registry], dirs);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('not installed: phase.bad.verify failed; rolled back');
    const [receipt] = await receipts();
    expect(receipt?.state).toBe('rolled_back');
    expect(receipt?.rollback?.map((entry) => `${entry.phase} ${entry.status}`)).toEqual([
      'phase.bad.verify completed',
      'phase.bad.install completed',
      'phase.bad.prepare completed',
      'phase.base.verify completed',
      'phase.base.install completed',
      'phase.base.prepare completed',
    ]);
    expect(result.stdout).toMatch(/rollback:\n {2}phase\.bad\.verify {2}completed/);
    expect(await snapshotTree(dirs.prefix)).toEqual(before);
  });

  it('prints the receipt summary as JSON with --json', async () => {
    const result = await runLore(['install', 'hello-tool', '--registry', FIXTURE, '--json'], dirs);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ state: 'executed', packages: ['hello-tool@1.0.0'], prefix: dirs.prefix, rollback: [], errors: [] });
    expect(result.stderr).toBe('');
  });

  it.each([
    ['a manifest writing outside the prefix', [{ name: 'escape', linkTarget: '${prefix}/../outside' }], 'escape', /outside|prefix/],
    ['a dependency cycle', [{ name: 'a', depends: ['b'] }, { name: 'b', depends: ['a'] }], 'a', /dependency cycle: a → b → a/],
    ['an unknown package', [{ name: 'known' }], 'knwon', /no package "knwon".*did you mean "known"/],
    ['a bad --jobs', [{ name: 'known' }], 'known --jobs 0', /--jobs 0: expected a positive integer/],
    ['a malformed --set', [{ name: 'known' }], 'known --set width', /--set width: expected NAME=VALUE/],
  ])('rejects %s at plan time with exit 2 and writes nothing', async (_label, packages, name, message) => {
    const registry = await testRegistry(packages);
    const before = await snapshotTree(root);
    const result = await runLore(['install', ...name.split(' '), '--registry', registry], dirs);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')[0]).toMatch(/^lore: error: /);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('stops with exit 3 before changing anything when a target in the prefix is taken', async () => {
    await writeFile(join(dirs.prefix, 'bin', 'hello-tool'), 'not lore\n');
    const before = await snapshotTree(dirs.prefix);
    const result = await runLore(['install', 'hello-tool', '--registry', FIXTURE], dirs);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(join(dirs.prefix, 'bin', 'hello-tool'));
    expect(await snapshotTree(dirs.prefix)).toEqual(before);
    // Preflight stops before the journal: no receipt, no journal, no backup.
    expect(await receipts()).toEqual([]);
    expect(await snapshotTree(dirs.state, { ignore: (path) => path === 'lock' })).toEqual({ '.': expect.objectContaining({ type: 'directory' }) });
  });

  it('fetches the downloads of independent packages at the same time', async () => {
    const registry = await testRegistry([{ name: 'left' }, { name: 'right' }]);
    const gated = ['/files/left-1.0.0.tar.gz', '/files/right-1.0.0.tar.gz'];
    const server = await startGatedServer(registryRoutes(registry), gated);
    servers.push(server);
    const result = await runLore(['install', 'left', 'right', '--registry', server.url, '--jobs', '4'], dirs);
    expect(result.code).toBe(0);
    expect(server.maxInFlight()).toBe(2);
  });

  it('reads the registry from LORE_REGISTRY, then from lore.yaml, and says how to give one when there is none', async () => {
    const none = await runLore(['install', 'greet'], dirs);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('lore: hint: pass --registry DIR|URL, set LORE_REGISTRY');
    const fromEnv = await runLore(['install', 'hello-tool', '--dry-run'], dirs, { LORE_REGISTRY: FIXTURE });
    expect(fromEnv.code).toBe(0);
    await mkdir(dirs.config, { recursive: true });
    await writeFile(join(dirs.config, 'lore.yaml'), `registry: ${FIXTURE}\n`);
    expect((await runLore(['install', 'hello-tool', '--dry-run'], dirs)).code).toBe(0);
  });
});

describe('lore list, info and search', () => {
  it('lists installed packages with versions from the receipts', async () => {
    expect((await runLore(['list'], dirs)).stdout).toContain('no packages installed');
    await runLore(['install', 'greet', '--registry', FIXTURE], dirs);
    const table = await runLore(['list'], dirs);
    expect(table.stdout).toMatch(/greet\s+1\.0\.0/);
    expect(table.stdout).toMatch(/hello-tool \(dependency\)\s+1\.0\.0/);
    const json = (JSON.parse((await runLore(['list', '--json'], dirs)).stdout) as { packages: { name: string; version: string; depends: string[] }[] }).packages;
    expect(json.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['greet@1.0.0', 'hello-tool@1.0.0']);
    expect(json[0]?.depends).toEqual(['hello-tool']);
  });

  it('shows a package with its features and settings', async () => {
    const result = await runLore(['info', 'themed-prompt', '--registry', FIXTURE], dirs);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('themed-prompt 2.1.0');
    expect(result.stdout).toContain('setting    theme=<dark|light|solarized> (default dark)');
    expect(result.stdout).toContain('installed: no');
  });

  it('finds packages by name or description', async () => {
    const result = await runLore(['search', 'PROMPT', '--registry', FIXTURE], dirs);
    expect(result.stdout).toMatch(/themed-prompt\s+2\.1\.0/);
    expect(result.stdout).not.toContain('greet');
  });
});

describe('lore remove', () => {
  it('refuses a package that is not installed', async () => {
    const result = await runLore(['remove', 'greet'], dirs);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('package "greet" is not installed');
  });

  it('removes a dependency with --force, undoing its exec hooks, and writes a remove receipt', async () => {
    const before = await snapshotTree(dirs.prefix);
    await runLore(['install', 'greet', 'with-hooks', '--registry', FIXTURE], dirs);
    expect((await snapshotTree(dirs.prefix))['share/with-hooks/marker']).toBeDefined();
    const forced = await runLore(['remove', 'hello-tool', 'with-hooks', '--force'], dirs);
    expect(forced.code).toBe(0);
    const removal = (await receipts())[1];
    expect(removal?.state).toBe('executed');
    // with-hooks' provision phase has a compensation step: a removal runs it, as a rollback would.
    const compensation = removal?.nodes.find((node) => node.annotations?.['lore.compensates'] !== undefined);
    expect(compensation?.annotations?.['lore.compensates']).toBe('with-hooks.provision.compensate.1.exec');
    expect(compensation?.status).toBe('completed');
    const replays = removal?.nodes.filter((node) => node.annotations?.['lore.undoes'] !== undefined) ?? [];
    expect(replays.length).toBeGreaterThan(0);
    expect(new Set(replays.map((node) => `${node.action} ${node.status}`))).toEqual(new Set(['receipt.undo completed']));
    const after = await snapshotTree(dirs.prefix);
    expect(after['share/with-hooks/marker']).toBeUndefined();
    expect(after['bin/hello-tool']).toBeUndefined();
    expect(after['bin/greet']).toBeDefined();
    await runLore(['remove', 'greet'], dirs);
    // hello-tool's install created lib/lore; removed before greet, it had to keep them (not
    // empty then), and greet's install did not create them: two empty directories stay.
    const directory = { type: 'directory', mode: expect.any(String) };
    expect(await snapshotTree(dirs.prefix)).toEqual({ ...before, lib: directory, 'lib/lore': directory });
    expect((await readdir(join(dirs.state, 'receipts'))).filter((name) => name.endsWith('.yaml'))).toHaveLength(3);
  });
});

describe('lore recover', () => {
  // A `lore remove` of with-hooks killed (SIGKILL) after its fifth node, journalled by the
  // version whose removal replayed undo state with its own `lore.undo` action (now `receipt.undo`).
  const stem = 'lore-2026-11-25T06-27-54-374Z';
  const legacyJournal = [
    '7d6de1f8 {"kind":"run-start","v":1,"run":"lore-2026-11-25T06-27-54-374Z","tool":"lore","timestamp":"2026-11-25T06:27:54.374Z","started_at":"2026-11-25T06:27:54.387Z","pid":5270,"platform":{"os":"linux","arch":"x64"},"context":{"packages":["with-hooks@1.0.0"],"prefix":"/tmp/dedupe-h/run/prefix","variables":{"lore":{"operation":"remove","requested":["with-hooks"],"depends":{}}}}}',
    '2cd87b1a {"kind":"node-done","node":"with-hooks.remove.1.shell.exec","action":"lore.undo","status":"completed"}',
    '5d1caa94 {"kind":"undo-registered","node":"with-hooks.remove.2.shell.exec","action":"shell.exec","undo":{"kind":"none","command":"echo \\"with-hooks: provision rolled back\\" >&2"}}',
  ];

  it('recovers an interrupted remove journalled with lore.undo nodes, which left nothing to undo', async () => {
    await mkdir(join(dirs.state, 'receipts'), { recursive: true });
    await writeFile(join(dirs.state, 'receipts', `${stem}.journal`), `${legacyJournal.join('\n')}\n`);
    const result = await runLore(['recover'], dirs);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${stem}: recovered, rolled_back, 1 undone`);
    expect(result.stderr).toContain('with-hooks.remove.2.shell.exec not-compensable');
    const store = new ReceiptStore({ stateDir: dirs.state });
    const receipt = await store.load(stem);
    expect(receipt.state).toBe('rolled_back');
    expect(receipt.nodes.map((node) => [node.id, node.action, node.status])).toEqual([
      ['with-hooks.remove.1.shell.exec', 'lore.undo', 'completed'],
      ['with-hooks.remove.2.shell.exec', 'shell.exec', 'failed'],
    ]);
    expect(await store.journals()).toEqual([]);
    expect((await runLore(['list'], dirs)).code).toBe(0);
  });

  it("points to 'writ recover' for a writ run whose rollback is unfinished, leaving it alone", async () => {
    const store = new ReceiptStore({ stateDir: dirs.state });
    const run = sampleGraph({ tool: 'writ', state: 'interrupted', nodes: 1 });
    const { stem: writStem } = await store.write({ ...run, nodes: run.nodes.map((node) => ({ ...node, undo: { kind: 'place', path: '/nowhere' } })) });
    const result = await runLore(['recover'], dirs);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('nothing to recover\n');
    expect(result.stderr).toBe(`lore: warning: ${writStem}: a writ run whose rollback is unfinished; run 'writ recover'\n`);
  });
});
