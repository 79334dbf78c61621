import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry, resolveInstall } from '../../../src/plan/index.js';
import { startHttpServer } from '../../helpers/http-server.js';
import type { TestHttpServer } from '../../helpers/http-server.js';
import { manifestText, writeRegistry, rejection } from './helpers.js';

const FIXTURE = resolve('fixtures/registry');
let dir: string;
let server: TestHttpServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lore-registry-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Serves the fixture registry's index and manifests (and one archive) over HTTP. */
async function serveFixture(): Promise<TestHttpServer> {
  const files = ['index.yaml', ...['hello-tool', 'greet'].map((name) => `packages/${name}/package.yaml`), 'files/hello-tool-1.0.0.tar.gz'];
  const routes: Record<string, Uint8Array> = {};
  for (const file of files) routes[`/registry/${file}`] = await readFile(join(FIXTURE, file));
  return startHttpServer(routes);
}

describe('openRegistry on a directory', () => {
  it('reads the index and manifests of the fixture registry', async () => {
    const registry = openRegistry('fixtures/registry');
    expect(registry.kind).toBe('directory');
    expect(registry.location).toBe(FIXTURE);
    expect((await registry.index()).packages).toHaveLength(5);
    expect((await registry.manifest('greet')).depends).toEqual(['hello-tool']);
    expect(registry.resolveUrl('files/x.tgz')).toBe(join(FIXTURE, 'files/x.tgz'));
    expect(registry.resolveUrl('https://example.invalid/x.tgz')).toBe('https://example.invalid/x.tgz');
  });

  it('rejects a manifest whose bytes differ from the digest in the index', async () => {
    await writeRegistry(dir, { tool: manifestText('tool') });
    const text = await readFile(join(dir, 'packages/tool/package.yaml'));
    const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    await writeFile(join(dir, 'index.yaml'), `packages:\n  tool:\n    version: 1.0.0\n    description: x\n    digest: "${digest}"\n`);
    await openRegistry(dir).manifest('tool');
    await writeFile(join(dir, 'packages/tool/package.yaml'), `${text.toString()}license: MIT\n`);
    const error = await rejection(openRegistry(dir).manifest('tool'));
    expect(error.code).toBe('integrity');
  });

  it('rejects a manifest whose name or version disagrees with the index', async () => {
    await writeRegistry(dir, { tool: manifestText('tool') });
    await writeFile(join(dir, 'packages/tool/package.yaml'), manifestText('tool', '', '2.0.0'));
    expect((await rejection(openRegistry(dir).manifest('tool'))).message).toBe('manifest says tool 2.0.0, the index says tool 1.0.0');
  });

  it('never reads a path for a name that is not a package name', async () => {
    await writeRegistry(dir, { tool: manifestText('tool') });
    expect((await rejection(openRegistry(dir).manifest('../tool'))).code).toBe('not-found');
  });

  it('reports a directory without an index as not found', async () => {
    const error = await rejection(openRegistry(dir).index());
    expect(error.code).toBe('not-found');
    expect(error.hint).toMatch(/index\.yaml/);
  });

  it('refuses a location that is neither a directory nor http(s)', () => {
    expect(() => openRegistry('ftp://example.invalid/registry')).toThrow(/neither a directory nor an http/);
  });
});

describe('openRegistry over HTTP', () => {
  it('fetches the index and manifests, and resolves source URLs against the base URL', async () => {
    server = await serveFixture();
    const registry = openRegistry(`${server.url}/registry`, { cacheDir: dir });
    expect(registry.kind).toBe('http');
    const resolution = await resolveInstall(registry, ['greet'], { platform: { os: 'linux', arch: 'x64' } });
    expect(resolution.packages.map((pkg) => pkg.source?.url)).toEqual([
      `${server.url}/registry/files/hello-tool-1.0.0.tar.gz`,
      `${server.url}/registry/files/greet-1.0.0.tar.gz`,
    ]);
    expect(resolution.packages[0]?.manifest.file).toBe(`${server.url}/registry/packages/hello-tool/package.yaml`);
  });

  it('caches every file with its digest and reuses a manifest whose digest the index pins', async () => {
    server = await serveFixture();
    const location = `${server.url}/registry`;
    await openRegistry(location, { cacheDir: dir }).manifest('hello-tool');
    const cacheDir = join(dir, 'registries', createHash('sha256').update(`${location}/`).digest('hex'));
    const record = JSON.parse(await readFile(join(cacheDir, 'digests.json'), 'utf8')) as { url: string; files: Record<string, string> };
    const manifest = await readFile(join(FIXTURE, 'packages/hello-tool/package.yaml'));
    expect(record).toEqual({
      url: `${location}/`,
      files: {
        'index.yaml': `sha256:${createHash('sha256').update(await readFile(join(FIXTURE, 'index.yaml'))).digest('hex')}`,
        'packages/hello-tool/package.yaml': `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
      },
    });
    expect(await readFile(join(cacheDir, 'packages/hello-tool/package.yaml'))).toEqual(manifest);
    const before = server.requests.length;
    await openRegistry(location, { cacheDir: dir }).manifest('hello-tool');
    expect(server.requests.slice(before).map((request) => request.path)).toEqual(['/registry/index.yaml']);
  });

  it('reads only the cache when offline, and says what is not cached', async () => {
    server = await serveFixture();
    const location = `${server.url}/registry`;
    await openRegistry(location, { cacheDir: dir }).manifest('hello-tool');
    const before = server.requests.length;
    const offline = openRegistry(location, { cacheDir: dir, offline: true });
    expect((await offline.manifest('hello-tool')).name).toBe('hello-tool');
    expect((await rejection(offline.manifest('greet'))).message).toBe(`${location}/packages/greet/package.yaml is not cached`);
    expect(server.requests.length).toBe(before);
  });

  it('falls back to the cached copy on a server error, and reports the fallback', async () => {
    server = await serveFixture();
    const location = `${server.url}/registry`;
    await openRegistry(location, { cacheDir: dir }).index();
    const fallbacks: string[] = [];
    const failing: typeof fetch = () => Promise.resolve(new Response('down', { status: 503 }));
    const registry = openRegistry(location, { cacheDir: dir, fetch: failing, onCacheFallback: (file, error) => fallbacks.push(`${file}: ${error.message}`) });
    expect((await registry.index()).packages).toHaveLength(5);
    expect(fallbacks).toEqual([`${location}/index.yaml: cannot fetch ${location}/index.yaml: HTTP 503`]);
    const uncached = openRegistry(`${location}/other`, { cacheDir: dir, fetch: failing });
    expect((await rejection(uncached.index())).message).toMatch(/HTTP 503/);
  });

  it('refuses a remote file over its size limit, announced or endless, and one that is not UTF-8', async () => {
    const endless = new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(new Uint8Array(1024 * 1024)) });
    const answers = [
      new Response(endless),
      new Response('packages: {}\n', { headers: { 'content-length': String(17 * 1024 * 1024) } }),
      new Response(Buffer.from('packages: {}\n# caf\xe9\n', 'latin1')),
    ];
    const serving: typeof fetch = () => Promise.resolve(answers.shift() ?? new Response('', { status: 404 }));
    const open = () => openRegistry('http://127.0.0.1:9/registry', { cacheDir: dir, fetch: serving });
    for (let answer = 0; answer < 2; answer += 1) {
      expect((await rejection(open().index())).located).toBe('http://127.0.0.1:9/registry/index.yaml: file too large (over 16 MiB)');
    }
    expect((await rejection(open().index())).located).toBe('http://127.0.0.1:9/registry/index.yaml:2: not valid UTF-8');
  });

  it('uses the cache when the network is down', async () => {
    server = await serveFixture();
    const location = `${server.url}/registry`;
    await openRegistry(location, { cacheDir: dir }).index();
    const fallbacks: string[] = [];
    const failing: typeof fetch = () => Promise.reject(new Error('connection refused'));
    const registry = openRegistry(location, { cacheDir: dir, fetch: failing, onCacheFallback: (file) => fallbacks.push(file) });
    expect((await registry.index()).packages).toHaveLength(5);
    expect(fallbacks).toEqual([`${location}/index.yaml`]);
  });

  it('rejects a fetched manifest that does not match the digest in the index', async () => {
    const index = await readFile(join(FIXTURE, 'index.yaml'));
    server = await startHttpServer({
      '/index.yaml': index,
      '/packages/hello-tool/package.yaml': `${(await readFile(join(FIXTURE, 'packages/hello-tool/package.yaml'), 'utf8'))}# tampered\n`,
    });
    const error = await rejection(openRegistry(server.url, { cacheDir: dir }).manifest('hello-tool'));
    expect(error.code).toBe('integrity');
    expect(error.message).toContain(`${server.url}/packages/hello-tool/package.yaml has digest sha256:`);
  });

  it('reports a missing package file as not found and needs a cache dir', async () => {
    server = await startHttpServer({ '/index.yaml': 'packages:\n  tool:\n    version: "1"\n    description: x\n' });
    expect((await rejection(openRegistry(server.url, { cacheDir: dir }).manifest('tool'))).code).toBe('not-found');
    expect(() => openRegistry(server?.url ?? '')).toThrow(/needs a cache directory/);
  });
});
