import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prefetchDownloads, type Graph, type Node } from '../../../src/index.js';
import { startHttpServer, type TestHttpServer } from '../../helpers/http-server.js';

const BODY = 'archive bytes';
const HEX = createHash('sha256').update(BODY).digest('hex');

let cacheDir: string;
let server: TestHttpServer;

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'lore-prefetch-'));
  server = await startHttpServer({ '/a.tar.gz': BODY, '/flaky.tar.gz': { body: BODY, failFirst: 1 } });
});

afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

function download(id: string, url: string, sha256 = `sha256:${HEX}`): Node {
  return {
    id,
    action: 'net.download',
    status: 'pending',
    slots: { url: { kind: 'immediate', value: url }, path: { kind: 'immediate', value: `/p/${id}` }, sha256: { kind: 'immediate', value: sha256 } },
  };
}

function plan(nodes: Node[]): Graph {
  return { version: '1', tool: 'lore', timestamp: '2026-11-01T00:00:00.000Z', state: 'pending', platform: { os: 'linux', arch: 'x64' }, context: {}, nodes, edges: [] };
}

function urlOf(node: Node | undefined): unknown {
  const slot = node?.slots['url'];
  return slot?.kind === 'immediate' ? slot.value : undefined;
}

describe('prefetchDownloads', () => {
  it('fetches into the cache by sha256 and points the node there, keeping the original URL', async () => {
    const url = `${server.url}/a.tar.gz`;
    const report = await prefetchDownloads(plan([download('a', url)]), { cacheDir });
    expect(report.fetched).toEqual([url]);
    const file = join(cacheDir, 'downloads', HEX);
    expect(await readFile(file, 'utf8')).toBe(BODY);
    expect(fileURLToPath(String(urlOf(report.graph.nodes[0])))).toBe(file);
    expect(report.graph.nodes[0]?.annotations?.['lore.url']).toBe(url);
  });

  it('uses a cached copy without asking the server, and fetches one digest once', async () => {
    const url = `${server.url}/a.tar.gz`;
    await prefetchDownloads(plan([download('a', url)]), { cacheDir });
    const again = await prefetchDownloads(plan([download('a', url), download('b', url)]), { cacheDir });
    expect(again.cached).toEqual([url]);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['a server error', '/flaky.tar.gz', `sha256:${HEX}`],
    ['a wrong checksum', '/a.tar.gz', `sha256:${'0'.repeat(64)}`],
  ])('leaves the node to the plan after %s', async (_label, path, sha256) => {
    const url = `${server.url}${path}`;
    const misses: string[] = [];
    const report = await prefetchDownloads(plan([download('a', url, sha256)]), { cacheDir, onMiss: (missed) => misses.push(missed) });
    expect(report.missed).toEqual([url]);
    expect(misses).toEqual([url]);
    expect(urlOf(report.graph.nodes[0])).toBe(url);
  });

  it('leaves local sources alone', async () => {
    const report = await prefetchDownloads(plan([download('a', '/srv/a.tar.gz')]), { cacheDir });
    expect(report).toMatchObject({ fetched: [], cached: [], missed: [] });
    expect(server.requests).toHaveLength(0);
  });
});
