import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryBackupStore, createDefaultRegistry } from '../../../src/actions/index.js';
import { GraphExecutor } from '../../../src/executor/index.js';
import { writRunData } from '../../../src/plan/index.js';
import { FIXTURE, TempDirs, planLayers } from './repo.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

const HOST = { hostname: 'box', user: 'kim', home: '/home/kim', os: 'linux', arch: 'x64' };

/** Every entry under `root`: type, mode, link target or content. */
function snapshot(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const key = relative(root, path);
      const mode = (stat.mode & 0o777).toString(8);
      if (stat.isSymbolicLink()) tree[key] = `link -> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        tree[key] = `dir ${mode}`;
        visit(path);
      } else tree[key] = `file ${mode} ${readFileSync(path, 'utf8')}`;
    }
  };
  visit(root);
  return tree;
}

describe('writRunData', () => {
  it('carries the plan variables and segments, host facts, env and identities', () => {
    const plan = planLayers(FIXTURE, ['base']);
    const data = writRunData(plan.graph, { host: HOST, env: { A: '1' }, ageIdentities: ['/id.txt'], configDir: '/cfg' });
    expect(data).toEqual({
      variables: { name: 'Kim Example', email: 'kim@example.org' },
      segments: { ARCH: 'amd64', DISTRO: 'Debian', FAMILY: 'Unix', OS: 'Linux' },
      host: HOST,
      env: { A: '1' },
      ageIdentities: ['/id.txt'],
      configDir: '/cfg',
    });
  });

  it('lets the executor deploy the fixture: links, a rendered template and a decrypted 0600 secret', async () => {
    const home = dirs.make('writ-home-');
    const plan = planLayers(FIXTURE, ['base', 'team', 'personal'], {
      targetRoot: home,
      projects: ['all', 'git', 'secrets'],
    });
    const executor = new GraphExecutor(createDefaultRegistry(), {
      backups: new DirectoryBackupStore(dirs.make('writ-backups-')),
      data: writRunData(plan.graph, { host: { ...HOST, home }, env: {}, ageIdentities: [join(FIXTURE, 'test-identity.txt')] }),
      jobs: 2,
    });
    const report = await executor.run(plan.graph);
    expect(report.errors.map((error) => error.message)).toEqual([]);
    expect(report.state).toBe('executed');
    expect(snapshot(home)).toEqual({
      '.config': 'dir 755',
      '.config/git': 'dir 755',
      '.config/git/attributes': `link -> ${FIXTURE}/team/Home/git.Unix/.config/git/attributes`,
      '.config/git/config': [
        'file 644 # Rendered by writ for kim on box (linux/x64)',
        '[user]',
        '\tname = Kim Example',
        '\temail = kim@example.org',
        '[core]',
        `\texcludesfile = ${home}/.config/git/ignore`,
        '',
      ].join('\n'),
      '.config/git/ignore': `link -> ${FIXTURE}/base/Home/git/.config/git/ignore`,
      '.config/writ-example': 'dir 755',
      '.config/writ-example/token.env': 'file 600 EXAMPLE_API_TOKEN=not-a-real-token-0123456789\n',
      '.inputrc': `link -> ${FIXTURE}/team/Home/all/.inputrc`,
    });
  });
});
