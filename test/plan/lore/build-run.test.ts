import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryBackupStore, createDefaultRegistry } from '../../../src/actions/index.js';
import { GraphExecutor, TestClock } from '../../../src/executor/index.js';
import type { RunReport } from '../../../src/executor/index.js';
import { buildInstallPlan, openRegistry, resolveInstall } from '../../../src/plan/index.js';
import type { InstallPlan } from '../../../src/plan/index.js';
import { startHttpServer } from '../../helpers/http-server.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';

// Runs the plans buildInstallPlan makes for the fixture registry with the real executor and
// actions, in a temp prefix: the fixtures must not only validate but install and roll back.

const REGISTRY = resolve('fixtures/registry');
const PLATFORM = { os: 'linux', arch: 'x64' };
const TIMESTAMP = '2026-01-01T00:00:00.000Z';

let work: string;
let prefix: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'lore-run-'));
  prefix = join(work, 'prefix');
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function planFor(names: string[], options: { with?: string[]; settings?: Record<string, string> } = {}): Promise<InstallPlan> {
  const registry = openRegistry(REGISTRY);
  const resolution = await resolveInstall(registry, names, { platform: PLATFORM, ...options });
  return buildInstallPlan(resolution, { prefix, catalog: createDefaultRegistry(), registry, timestamp: TIMESTAMP });
}

function run(plan: InstallPlan): Promise<RunReport> {
  const executor = new GraphExecutor(createDefaultRegistry(), {
    backups: new DirectoryBackupStore(join(work, 'backups')),
    clock: new TestClock(TIMESTAMP),
    jobs: 2,
    data: { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
  });
  return executor.run(plan.graph);
}

/** Everything under the temp dir except the backup store: empty after a full rollback. */
function leftovers(): Promise<string[]> {
  return snapshotTree(work, { ignore: (path) => path === 'backups' }).then((tree) => Object.keys(tree));
}

describe('running install plans of the fixture registry', () => {
  it('installs greet after its dependency hello-tool and links both into bin', async () => {
    const report = await run(await planFor(['greet']));
    expect(report.errors.map(String)).toEqual([]);
    expect(report.state).toBe('executed');
    const bin = await snapshotTree(join(prefix, 'bin'));
    expect(bin).toEqual({
      '.': { type: 'directory', mode: expect.any(String) },
      greet: { type: 'symlink', link_target: join(prefix, 'lib/lore/greet/1.0.0/bin/greet') },
      'hello-tool': { type: 'symlink', link_target: join(prefix, 'lib/lore/hello-tool/1.0.0/bin/hello-tool') },
    });
  });

  it('renders the themed-prompt configuration from features and settings', async () => {
    const plan = await planFor(['themed-prompt'], { with: ['git-status'], settings: { theme: 'solarized', width: '100' } });
    const report = await run(plan);
    expect(report.errors.map(String)).toEqual([]);
    const etc = await snapshotTree(join(prefix, 'etc'));
    expect(Object.keys(etc)).toEqual(['.', 'themed-prompt', 'themed-prompt/git-status.conf', 'themed-prompt/palette', 'themed-prompt/prompt.conf']);
    expect(await readFile(join(prefix, 'etc/themed-prompt/prompt.conf'), 'utf8')).toBe(
      '# themed-prompt 2.1.0: rendered by lore for linux/amd64\ntheme = solarized\nwidth = 100\nshow_time = false\n' +
        'color = on\ngit_status = on\n',
    );
  });

  it('rolls broken-verify back completely after its verify phase fails twice', async () => {
    const report = await run(await planFor(['broken-verify']));
    expect(report.state).toBe('rolled_back');
    const verify = report.graph.phases?.find((phase) => phase.id === 'phase.broken-verify.verify');
    expect(verify?.attempts?.map((attempt) => attempt.status)).toEqual(['failed', 'failed']);
    expect(report.diagnostics).toEqual([]);
    expect(await leftovers()).toEqual(['.']);
  });

  it('runs the with-hooks provision hook, which leaves its marker in the prefix', async () => {
    const report = await run(await planFor(['with-hooks']));
    expect(report.errors.map(String)).toEqual([]);
    expect(await readFile(join(prefix, 'share/with-hooks/marker'), 'utf8')).toBe('with-hooks provisioned 1.0.0\n');
  });

  it('undoes the hook, runs the compensation phase and removes everything when a later package fails', async () => {
    const report = await run(await planFor(['hello-tool', 'with-hooks', 'broken-verify']));
    expect(report.state).toBe('rolled_back');
    expect(report.errors.map((error) => error.code)).toEqual(['action-failed']);
    expect(report.diagnostics).toEqual([]);
    const entry = report.graph.rollback?.find((rollback) => rollback.phase === 'phase.with-hooks.provision');
    expect(entry).toMatchObject({ compensate: 'phase.with-hooks.provision.compensate', status: 'completed' });
    expect(await leftovers()).toEqual(['.']);
  });

  it('installs from an HTTP registry, downloading the archive relative to the base URL', async () => {
    const routes: Record<string, Buffer> = {};
    const files = ['index.yaml', 'packages/hello-tool/package.yaml', ...(await readdir(join(REGISTRY, 'files'))).map((name) => `files/${name}`)];
    for (const file of files) routes[`/lore/${file}`] = await readFile(join(REGISTRY, file));
    const server = await startHttpServer(routes);
    try {
      const registry = openRegistry(`${server.url}/lore`, { cacheDir: join(work, 'cache') });
      const resolution = await resolveInstall(registry, ['hello-tool'], { platform: PLATFORM });
      const plan = buildInstallPlan(resolution, { prefix, catalog: createDefaultRegistry(), registry, timestamp: TIMESTAMP });
      const report = await run(plan);
      expect(report.errors.map(String)).toEqual([]);
      expect(server.requests.map((request) => request.path)).toEqual([
        '/lore/index.yaml',
        '/lore/packages/hello-tool/package.yaml',
        '/lore/files/hello-tool-1.0.0.tar.gz',
      ]);
      expect((await snapshotTree(join(prefix, 'bin')))['hello-tool']).toEqual({
        type: 'symlink',
        link_target: join(prefix, 'lib/lore/hello-tool/1.0.0/bin/hello-tool'),
      });
    } finally {
      await server.close();
    }
  });
});
