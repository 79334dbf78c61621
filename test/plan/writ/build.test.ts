import { execFileSync } from 'node:child_process';
import { chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isWritLoreError, writeGraphYaml } from '../../../src/graph/index.js';
import type { Node } from '../../../src/graph/index.js';
import { detectSegments } from '../../../src/plan/index.js';
import type { WritPlan } from '../../../src/plan/index.js';
import { FIXTURE, TempDirs, planLayers, rows, writeFiles } from './repo.js';
import { thrown } from '../../helpers/thrown.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

const LAYERS = ['base', 'team', 'personal'];
const H = '/home/kim';

function node(plan: WritPlan, id: string): Node {
  const found = plan.graph.nodes.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no node ${id}`);
  return found;
}

describe('buildWritPlan on the fixture repository', () => {
  it('plans exactly the expected targets on Debian amd64 with the default projects', () => {
    const plan = planLayers(FIXTURE, LAYERS);
    expect(plan.projects).toEqual(['all', 'shell', 'git']);
    expect(rows(plan)).toEqual([
      [`${H}/.bash_aliases`, 'link', 'personal', 'shell'],
      [`${H}/.bashrc`, 'link', 'base', 'shell'],
      [`${H}/.bashrc.d/linux.sh`, 'link', 'base', 'shell'],
      [`${H}/.config/git/attributes`, 'link', 'team', 'git'],
      [`${H}/.config/git/config`, 'render', 'base', 'git'],
      [`${H}/.config/git/ignore`, 'link', 'base', 'git'],
      [`${H}/.inputrc`, 'link', 'team', 'all'],
      [`${H}/.profile`, 'link', 'base', 'shell'],
    ]);
    expect(plan.sources.find((line) => line.target === `${H}/.inputrc`)?.source).toBe(`${FIXTURE}/team/Home/all/.inputrc`);
  });

  it('reports every path it leaves out, and why', () => {
    const plan = planLayers(FIXTURE, LAYERS);
    expect(plan.skipped.map((skip) => [skip.path.slice(FIXTURE.length + 1), skip.kind])).toEqual([
      ['base/Home/all/.inputrc.swp', 'ignored'],
      ['base/Home/shell.Darwin', 'segment-mismatch'],
      ['base/System', 'system'],
      ['personal/Home/scratch', 'ignored'],
      ['personal/Home/secrets', 'not-selected'],
      ['team/Home/README.md', 'ignored'],
    ]);
  });

  it('records the team layer beating base for .inputrc, in the graph too', () => {
    const plan = planLayers(FIXTURE, LAYERS);
    const expected = [
      {
        target: `${H}/.inputrc`,
        winner: `${FIXTURE}/team/Home/all/.inputrc`,
        winner_layer: 'team',
        loser: `${FIXTURE}/base/Home/all/.inputrc`,
        loser_layer: 'base',
        reason: 'layer "team" ranks above layer "base"',
      },
    ];
    expect(plan.collisions).toEqual(expected);
    expect(plan.graph.collisions).toEqual(expected);
  });

  it('builds a valid pending writ graph with the context a receipt needs', () => {
    const plan = planLayers(FIXTURE, LAYERS);
    expect(plan.graph).toMatchObject({ tool: 'writ', state: 'pending', timestamp: '2026-01-31T12:00:00.000Z' });
    expect(plan.graph.context).toEqual({
      target_root: H,
      projects: ['all', 'shell', 'git'],
      layers: LAYERS.map((name) => ({ name, path: join(FIXTURE, name) })),
      segments: { ARCH: 'amd64', DISTRO: 'Debian', FAMILY: 'Unix', OS: 'Linux' },
      variables: { name: 'Kim Example', email: 'kim@example.org' },
      settings: { system: 'off' },
    });
  });

  it('feeds the rendered template into the copy through a promise slot and its data edge', () => {
    const plan = planLayers(FIXTURE, LAYERS);
    const template = `${FIXTURE}/base/Home/git/.config/git/config.tmpl`;
    const render = node(plan, `render:${template}`);
    expect(render).toMatchObject({ action: 'template.render', slots: { source: { kind: 'immediate', value: template } } });
    const copy = node(plan, `copy:${H}/.config/git/config`);
    expect(copy.slots).toEqual({
      content: { kind: 'promise', node: render.id },
      path: { kind: 'immediate', value: `${H}/.config/git/config` },
      mode: { kind: 'immediate', value: '0644' },
    });
    expect(plan.graph.edges).toEqual([{ from: render.id, to: copy.id, kind: 'data' }]);
  });

  it('decrypts a secret into a 0600 copy when its project is asked for', () => {
    const plan = planLayers(FIXTURE, LAYERS, { projects: ['secrets'] });
    const source = `${FIXTURE}/personal/Home/secrets/.config/writ-example/token.env.age`;
    const target = `${H}/.config/writ-example/token.env`;
    expect(rows(plan)).toEqual([[target, 'decrypt', 'personal', 'secrets']]);
    expect(node(plan, `copy:${target}`).slots).toEqual({
      content: { kind: 'promise', node: `decrypt:${source}` },
      path: { kind: 'immediate', value: target },
      mode: { kind: 'immediate', value: '0600' },
    });
  });

  it('deploys System/ into the system root only with system on', () => {
    const systemRoot = dirs.make();
    const plan = planLayers(FIXTURE, LAYERS, { system: true, systemRoot, projects: ['all'] });
    expect(rows(plan)).toEqual([
      [`${H}/.inputrc`, 'link', 'team', 'all'],
      [`${systemRoot}/etc/writ-example/motd`, 'link', 'base', 'all'],
    ]); // the temp dir sorts after /home
    expect(plan.sources.find((line) => line.scope === 'system')?.source).toBe(`${FIXTURE}/base/System/all/etc/writ-example/motd`);
    expect(plan.skipped.map((skip) => skip.kind)).not.toContain('system');
    expect(plan.graph.context.settings).toEqual({ system: 'on', system_root: systemRoot });
  });

  it('picks the Darwin directories on a Mac', () => {
    const segments = detectSegments({ platform: 'darwin', arch: 'arm64', env: {} });
    const plan = planLayers(FIXTURE, LAYERS, { segments, projects: ['shell', 'git'] });
    const targets = plan.sources.map((line) => line.target);
    expect(targets).toContain(`${H}/.bashrc.d/darwin.sh`);
    expect(targets).not.toContain(`${H}/.bashrc.d/linux.sh`);
    expect(targets).toContain(`${H}/.config/git/attributes`);
  });

  it('plans identically twice, and whatever order the layers are given in', () => {
    const first = writeGraphYaml(planLayers(FIXTURE, LAYERS, { projects: ['all', 'shell', 'git', 'secrets'] }).graph);
    const again = writeGraphYaml(planLayers(FIXTURE, LAYERS, { projects: ['all', 'shell', 'git', 'secrets'] }).graph);
    const reordered = writeGraphYaml(planLayers(FIXTURE, ['personal', 'base', 'team'], { projects: ['all', 'shell', 'git', 'secrets'] }).graph);
    expect(again).toBe(first);
    expect(reordered).toBe(first);
  });
});

describe('buildWritPlan choosing projects', () => {
  it.each([
    [{ projects: ['git'] }, ['git']],
    [{ userConfig: { projects: ['shell'] } }, ['shell']],
    [{ projects: ['git', 'git', 'all'], userConfig: { projects: ['shell'] } }, ['git', 'all']],
    [{}, ['all', 'shell', 'git']],
  ])('with %j deploys %j', (options, expected) => {
    expect(planLayers(FIXTURE, LAYERS, options).projects).toEqual(expected);
  });

  it('unions the projects of every layer and layers variables: user config > higher layer > lower layer', () => {
    const root = dirs.fixtureCopy();
    writeFiles(root, { 'personal/writ.yaml': 'projects: [secrets, shell]\nvariables: {email: kim@home.example, editor: vim}\n' });
    const plan = planLayers(root, LAYERS, { userConfig: { variables: { editor: 'nvim' } } });
    expect(plan.projects).toEqual(['all', 'shell', 'git', 'secrets']);
    expect(plan.variables).toEqual({ name: 'Kim Example', email: 'kim@home.example', editor: 'nvim' });
    expect(plan.graph.context.variables).toEqual(plan.variables);
  });

  it('deploys "all" when no writ.yaml names projects', () => {
    const root = dirs.repo({ 'base/Home/all/.a': 'a', 'base/Home/other/.b': 'b' });
    const plan = planLayers(root, ['base']);
    expect(plan.projects).toEqual(['all']);
    expect(rows(plan)).toEqual([['/home/kim/.a', 'link', 'base', 'all']]);
  });

  it('refuses a project that has no directory in any layer, suggesting the closest', () => {
    const error = thrown(() => planLayers(FIXTURE, LAYERS, { projects: ['shel'] }));
    expect(isWritLoreError(error, 'not-found')).toBe(true);
    expect(error.message).toBe('project "shel" has no directory in any layer (did you mean "shell"?)');
  });

  it('accepts a project that exists only for other machines, planning nothing for it', () => {
    const root = dirs.repo({ 'base/Home/mac.Darwin/.a': 'a' });
    const plan = planLayers(root, ['base'], { projects: ['mac'] });
    expect(plan.sources).toEqual([]);
    expect(plan.skipped.map((skip) => skip.kind)).toEqual(['segment-mismatch']);
  });
});

describe('buildWritPlan file handling', () => {
  it('derives each transform from the file name and copies what copy: globs match, keeping modes', () => {
    const root = dirs.repo({
      'base/writ.yaml': 'copy: ["**/.ssh/config", "Home/all/bin/"]\nvariables: {name: Kim}\n',
      'base/Home/all/.ssh/config': 'Host *\n',
      'base/Home/all/bin/tool': '#!/bin/sh\n',
      'base/Home/all/.gitconfig.tmpl': '{{variables.name}}\n',
      'base/Home/all/run.sh.template': '#!/bin/sh\n',
      'base/Home/all/.netrc.tmpl.age': 'not really encrypted',
      'base/Home/all/.token.age': 'not really encrypted',
      'base/Home/all/.plain': 'x',
    });
    chmodSync(join(root, 'base/Home/all/bin/tool'), 0o755);
    chmodSync(join(root, 'base/Home/all/run.sh.template'), 0o750);
    const plan = planLayers(root, ['base']);
    expect(rows(plan).map(([target, transform]) => [target.slice(H.length + 1), transform])).toEqual([
      ['.gitconfig', 'render'],
      ['.netrc', 'decrypt-render'],
      ['.plain', 'link'],
      ['.ssh/config', 'copy'],
      ['.token', 'decrypt'],
      ['bin/tool', 'copy'],
      ['run.sh', 'render'],
    ]);
    const mode = (target: string) => node(plan, `copy:${H}/${target}`).slots['mode'];
    expect(mode('bin/tool')).toEqual({ kind: 'immediate', value: '0755' });
    expect(mode('run.sh')).toEqual({ kind: 'immediate', value: '0750' });
    expect(mode('.netrc')).toEqual({ kind: 'immediate', value: '0600' });
    expect(node(plan, `copy:${H}/.ssh/config`).slots['source']).toEqual({ kind: 'immediate', value: `${root}/base/Home/all/.ssh/config` });
  });

  it('chains decrypt → render → copy with promise slots for a .tmpl.age file', () => {
    const root = dirs.repo({ 'base/Home/all/.netrc.tmpl.age': 'x' });
    const plan = planLayers(root, ['base']);
    const source = `${root}/base/Home/all/.netrc.tmpl.age`;
    const decrypt = `decrypt:${source}`;
    const render = node(plan, `render:${source}`);
    expect(render.slots).toEqual({ content: { kind: 'promise', node: decrypt } });
    expect(node(plan, `copy:${H}/.netrc`).slots['content']).toEqual({ kind: 'promise', node: render.id });
    expect(plan.graph.edges).toEqual([
      { from: decrypt, to: render.id, kind: 'data' },
      { from: render.id, to: `copy:${H}/.netrc`, kind: 'data' },
    ]);
  });

  it('leaves out ignore: globs of any layer, .writignore lines of its own layer and editor droppings', () => {
    const root = dirs.repo({
      'base/writ.yaml': 'ignore: ["*.bak"]\n',
      'base/Home/all/a.bak': '',
      'base/Home/all/.git/config': '',
      'base/Home/all/b~': '',
      'team/.writignore': '# team\nlocal/\n',
      'team/Home/all/c.bak': '',
      'team/Home/all/local/x': '',
      'team/Home/all/keep': '',
      'team/Home/all/.DS_Store': '',
      'base/Home/all/local/y': '',
    });
    const plan = planLayers(root, ['base', 'team']);
    expect(rows(plan).map(([target, , layer]) => [target, layer])).toEqual([
      ['/home/kim/keep', 'team'],
      ['/home/kim/local/y', 'base'],
    ]);
    expect(plan.skipped.map((skip) => [skip.path.slice(root.length + 1), skip.reason.replace(root, '')])).toEqual([
      ['base/Home/all/.git', 'always excluded (.git)'],
      ['base/Home/all/a.bak', `ignored by /base/writ.yaml:1 "*.bak"`],
      ['base/Home/all/b~', 'always excluded (*~)'],
      ['team/Home/all/.DS_Store', 'always excluded (.DS_Store)'],
      ['team/Home/all/c.bak', `ignored by /base/writ.yaml:1 "*.bak"`],
      ['team/Home/all/local', `ignored by /team/.writignore:2 "local/"`],
    ]);
  });

  it('links a symlink of the repository as it is, and skips what is neither file, link nor directory', () => {
    const root = dirs.repo({ 'base/Home/all/real': 'x' });
    symlinkSync('real', join(root, 'base/Home/all/alias'));
    execFileSync('mkfifo', [join(root, 'base/Home/all/pipe')]);
    const plan = planLayers(root, ['base']);
    expect(rows(plan)).toEqual([
      ['/home/kim/alias', 'link', 'base', 'all'],
      ['/home/kim/real', 'link', 'base', 'all'],
    ]);
    expect(plan.skipped.map((skip) => [skip.path.slice(root.length + 1), skip.kind])).toEqual([['base/Home/all/pipe', 'unsupported-type']]);
  });

  it('reports files outside project directories', () => {
    const root = dirs.repo({ 'base/Home/.bashrc': '', 'base/Home/.hidden/x': '', 'base/Home/all/.a': '' });
    const plan = planLayers(root, ['base']);
    expect(plan.skipped.map((skip) => [skip.path.slice(root.length + 1), skip.kind])).toEqual([
      ['base/Home/.bashrc', 'outside-project'],
      ['base/Home/.hidden', 'outside-project'],
    ]);
  });
});

describe('buildWritPlan collisions', () => {
  it('lets a higher layer beat a more specific directory of a lower one', () => {
    const root = dirs.repo({ 'base/Home/all.Linux.Debian/.x': 'base', 'team/Home/all/.x': 'team' });
    const plan = planLayers(root, ['base', 'team']);
    expect(rows(plan)).toEqual([['/home/kim/.x', 'link', 'team', 'all']]);
    expect(plan.collisions.map((c) => c.loser)).toEqual([`${root}/base/Home/all.Linux.Debian/.x`]);
  });

  it('lets the more specific directory win within a layer, across projects', () => {
    const root = dirs.repo({ 'base/Home/all/.x': '', 'base/Home/shell.Linux/.x': '' });
    const plan = planLayers(root, ['base'], { projects: ['all', 'shell'] });
    expect(plan.sources.map((line) => line.source)).toEqual([`${root}/base/Home/shell.Linux/.x`]);
    expect(plan.graph.collisions).toHaveLength(1);
  });

  it('refuses a tie within a layer, naming both sources', () => {
    const root = dirs.repo({ 'base/Home/all.Unix/.x': '', 'base/Home/all.Linux/.x': '' });
    const error = thrown(() => planLayers(root, ['base']));
    expect(error.message).toContain(`${root}/base/Home/all.Linux/.x and ${root}/base/Home/all.Unix/.x`);
  });

  it('never lets System/ and Home/ collide on the same relative path', () => {
    const root = dirs.repo({ 'base/Home/all/etc/motd': 'home', 'base/System/all/etc/motd': 'system' });
    const systemRoot = dirs.make();
    const plan = planLayers(root, ['base'], { system: true, systemRoot });
    expect(plan.sources.map((line) => [line.target, line.scope])).toEqual([
      ['/home/kim/etc/motd', 'home'],
      [`${systemRoot}/etc/motd`, 'system'],
    ]);
    expect(plan.collisions).toEqual([]);
  });

  it('refuses a relative target root', () => {
    expect(() => planLayers(FIXTURE, LAYERS, { targetRoot: 'home' })).toThrow(/absolute/);
  });
});
