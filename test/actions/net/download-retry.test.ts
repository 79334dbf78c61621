import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryBackupStore } from '../../../src/actions/backup-store.js';
import { downloadAction } from '../../../src/actions/net/index.js';
import { GraphExecutor, TestClock } from '../../../src/executor/index.js';
import { immediate, type Graph, type Node, type Phase, type RetryPolicy } from '../../../src/graph/index.js';
import { pendingGraph } from '../../helpers/graph.js';
import { startHttpServer, type TestHttpServer } from '../../helpers/http-server.js';
import { snapshotTree, useWorkspace } from './fixture.js';

const BODY = Buffer.from('release tarball bytes\n');
const HEX = createHash('sha256').update(BODY).digest('hex');

const ws = useWorkspace('writ-net-retry-');
let server: TestHttpServer;

beforeEach(async () => {
  server = await startHttpServer({ '/flaky.tgz': { body: BODY, failFirst: 2 } });
});

afterEach(async () => {
  await server.close();
});

/** A one-phase lore-style graph downloading `/flaky.tgz` with `retry`. */
function downloadGraph(retry: RetryPolicy): Graph {
  const fetch: Node = {
    id: 'fetch',
    action: 'net.download',
    status: 'pending',
    phase: 'download',
    slots: {
      url: immediate(`${server.url}/flaky.tgz`),
      path: immediate(join(ws.tree, 'cache', 'flaky.tgz')),
      sha256: immediate(`sha256:${HEX}`),
    },
  };
  const phase: Phase = { id: 'download', name: 'download', status: 'pending', retry, nodes: ['fetch'] };
  return { ...pendingGraph([fetch], [], [phase]), tool: 'lore' };
}

function executor(clock: TestClock): GraphExecutor {
  const actions = { get: (name: string) => (name === downloadAction.name ? downloadAction : undefined) };
  return new GraphExecutor(actions, { clock, backups: new DirectoryBackupStore(ws.backups), jobs: 1 });
}

describe('net.download under a phase RetryPolicy', () => {
  it('succeeds when the server fails twice and the phase allows three attempts', async () => {
    const clock = new TestClock();
    const graph = downloadGraph({ max_attempts: 3, backoff: 'exponential', initial_delay: '1s' });
    const report = await executor(clock).run(graph);
    expect(report.errors.map(String)).toEqual([]);
    expect(report.state).toBe('executed');
    expect(server.requests.map((request) => request.outcome)).toEqual([503, 503, 200]);
    expect(graph.phases?.[0]?.attempts?.map((attempt) => attempt.status)).toEqual(['failed', 'failed', 'completed']);
    expect(clock.sleeps.map((sleep) => sleep.ms)).toEqual([1000, 2000]);
    expect(await readFile(join(ws.tree, 'cache', 'flaky.tgz'))).toEqual(BODY);
  });

  it('fails and leaves the tree as it was when the attempts run out first', async () => {
    const before = await snapshotTree(ws.tree);
    const graph = downloadGraph({ max_attempts: 2, backoff: 'none', initial_delay: '1s' });
    const report = await executor(new TestClock()).run(graph);
    expect(report.state).not.toBe('executed');
    expect(report.errors.map(String).join('\n')).toContain(`download ${server.url}/flaky.tgz failed: HTTP 503`);
    expect(server.requests.map((request) => request.outcome)).toEqual([503, 503]);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });
});
