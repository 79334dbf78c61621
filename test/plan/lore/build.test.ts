import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../../src/actions/index.js';
import { assertValidGraph, parseGraph, writeGraphYaml } from '../../../src/graph/index.js';
import type { Graph, Node } from '../../../src/graph/index.js';
import { buildInstallPlan, expandPrefix, openRegistry, resolveInstall } from '../../../src/plan/index.js';
import type { InstallPlan, PackageRegistry, ResolveOptions } from '../../../src/plan/index.js';
import { manifestText, writeRegistry, rejection } from './helpers.js';

const PREFIX = '/home/kim/.local';
const LINUX = { os: 'linux', arch: 'x64' };
const TIMESTAMP = '2026-01-01T00:00:00.000Z';
const FIXTURES = ['hello-tool', 'greet', 'themed-prompt', 'broken-verify', 'with-hooks'];
const fixtures = openRegistry('fixtures/registry');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lore-build-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function planOf(registry: PackageRegistry, names: string[], options: Partial<ResolveOptions> = {}): Promise<InstallPlan> {
  const resolution = await resolveInstall(registry, names, { platform: LINUX, ...options });
  return buildInstallPlan(resolution, { prefix: PREFIX, catalog: createDefaultRegistry(), registry, timestamp: TIMESTAMP });
}

function node(graph: Graph, id: string): Node {
  const found = graph.nodes.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no node ${id} in ${graph.nodes.map((n) => n.id).join(', ')}`);
  return found;
}

/** A registry holding one package `evil` whose install phase has `steps` (YAML list items). */
async function evilRegistry(steps: string, extra = ''): Promise<PackageRegistry> {
  const text = manifestText('evil', `${extra}phases:\n  install:\n    steps:\n${steps}`);
  return openRegistry(await writeRegistry(dir, { evil: text }));
}

describe('buildInstallPlan', () => {
  it.each(FIXTURES)('builds a valid, round-trippable plan for the fixture %s', async (name) => {
    const { graph } = await planOf(fixtures, [name]);
    assertValidGraph(graph, { catalog: createDefaultRegistry() });
    expect(graph).toMatchObject({ tool: 'lore', state: 'pending', platform: LINUX, timestamp: TIMESTAMP });
    expect(parseGraph(writeGraphYaml(graph))).toEqual(graph);
  });

  it('opens one phase per package and install phase, dependencies first', async () => {
    const plan = await planOf(fixtures, ['greet']);
    expect(plan.graph.phases?.map((phase) => [phase.id, phase.name])).toEqual([
      ['phase.hello-tool.prepare', 'hello-tool prepare'],
      ['phase.hello-tool.install', 'hello-tool install'],
      ['phase.hello-tool.verify', 'hello-tool verify'],
      ['phase.greet.prepare', 'greet prepare'],
      ['phase.greet.install', 'greet install'],
      ['phase.greet.verify', 'greet verify'],
    ]);
    expect(plan.packages).toEqual([
      { name: 'hello-tool', version: '1.0.0', dir: `${PREFIX}/lib/lore/hello-tool/1.0.0`, phases: ['phase.hello-tool.prepare', 'phase.hello-tool.install', 'phase.hello-tool.verify'] },
      { name: 'greet', version: '1.0.0', dir: `${PREFIX}/lib/lore/greet/1.0.0`, phases: ['phase.greet.prepare', 'phase.greet.install', 'phase.greet.verify'] },
    ]);
    expect(plan.graph.context).toMatchObject({ packages: ['hello-tool@1.0.0', 'greet@1.0.0'], prefix: PREFIX, registry: fixtures.location });
  });

  it('copies retry policies and turns steps into chained nodes with interpolated, confined slots', async () => {
    const { graph } = await planOf(fixtures, ['hello-tool']);
    expect(graph.phases?.[0]?.retry).toEqual({ max_attempts: 3, backoff: 'exponential', initial_delay: '1s', max_delay: '10s', jitter: 0.2 });
    const dirOf = `${PREFIX}/lib/lore/hello-tool/1.0.0`;
    const download = node(graph, 'hello-tool.prepare.1.download');
    expect(download.slots).toMatchObject({
      url: { kind: 'immediate', value: join(fixtures.location, 'files/hello-tool-1.0.0.tar.gz') },
      path: { kind: 'immediate', value: `${dirOf}/hello-tool-1.0.0.tar.gz` },
    });
    expect(node(graph, 'hello-tool.install.1.extract').slots).toMatchObject({ path: { kind: 'immediate', value: dirOf }, strip: { kind: 'immediate', value: 1 } });
    expect(node(graph, 'hello-tool.install.2.link').slots).toMatchObject({
      source: { kind: 'immediate', value: `${dirOf}/bin/hello-tool` },
      path: { kind: 'immediate', value: `${PREFIX}/bin/hello-tool` },
    });
    const check = node(graph, 'hello-tool.verify.1.exec');
    expect(check.slots).toMatchObject({ argv: { kind: 'immediate', value: [`${PREFIX}/bin/hello-tool`, '--version'] }, undo: { kind: 'immediate', value: ['/bin/sh', '-c', ':'] } });
    expect(check.project).toBe('hello-tool');
    expect(check.annotations).toEqual({ 'lore.package': 'hello-tool', 'lore.version': '1.0.0', 'lore.step': join(fixtures.location, 'packages/hello-tool/package.yaml:22') });
    expect(graph.edges).toContainEqual({ from: 'hello-tool.install.1.extract', to: 'hello-tool.install.2.link', kind: 'order' });
  });

  it('adds a compensation phase right after the forward phase that names it', async () => {
    const { graph } = await planOf(fixtures, ['with-hooks']);
    const ids = graph.phases?.map((phase) => phase.id) ?? [];
    expect(ids.indexOf('phase.with-hooks.provision.compensate')).toBe(ids.indexOf('phase.with-hooks.provision') + 1);
    expect(graph.phases?.find((phase) => phase.id === 'phase.with-hooks.provision')?.compensate).toBe('phase.with-hooks.provision.compensate');
    const compensation = graph.phases?.find((phase) => phase.id === 'phase.with-hooks.provision.compensate');
    expect(compensation).toMatchObject({ role: 'compensation', nodes: ['with-hooks.provision.compensate.1.exec'] });
    expect(node(graph, 'with-hooks.provision.compensate.1.exec').slots['cwd']).toEqual({ kind: 'immediate', value: '/home/kim/.local/lib/lore/with-hooks/1.0.0' });
    const hook = node(graph, 'with-hooks.provision.1.exec');
    expect(hook.slots).toMatchObject({
      undo: { kind: 'immediate', value: ['/bin/sh', 'share/with-hooks/hook.sh', 'undo'] },
      creates: { kind: 'immediate', value: [`${PREFIX}/share/with-hooks/marker`] },
      cwd: { kind: 'immediate', value: `${PREFIX}/lib/lore/with-hooks/1.0.0` },
      env: { kind: 'immediate', value: { LORE_PREFIX: PREFIX, LORE_PACKAGE: 'with-hooks', LORE_VERSION: '1.0.0', LORE_PACKAGE_DIR: `${PREFIX}/lib/lore/with-hooks/1.0.0` } },
    });
  });

  it.each([
    [{}, ['themed-prompt.provision.1.render', 'themed-prompt.provision.1.copy']],
    [{ with: ['git-status'] }, ['themed-prompt.provision.1.render', 'themed-prompt.provision.1.copy', 'themed-prompt.provision.2.write']],
    [{ settings: { theme: 'solarized' } }, ['themed-prompt.provision.1.render', 'themed-prompt.provision.1.copy', 'themed-prompt.provision.3.copy']],
  ])('keeps only the steps whose when: holds for %j', async (options, nodes) => {
    const { graph } = await planOf(fixtures, ['themed-prompt'], options);
    expect(graph.phases?.find((phase) => phase.id === 'phase.themed-prompt.provision')?.nodes).toEqual(nodes);
    const render = node(graph, 'themed-prompt.provision.1.render');
    expect(render.slots['variables']).toMatchObject({ kind: 'immediate', value: { name: 'themed-prompt', platform: { os: 'linux', arch: 'amd64' } } });
    expect(node(graph, 'themed-prompt.provision.1.copy').slots['content']).toEqual({ kind: 'promise', node: 'themed-prompt.provision.1.render' });
  });

  it('leaves out a phase whose steps are all filtered away', async () => {
    const registry = await evilRegistry('      - write: { content: x, to: a }\n        when: { os: darwin }\n');
    const plan = await planOf(registry, ['evil']);
    expect(plan.graph.phases ?? []).toEqual([]);
    expect(plan.packages[0]?.phases).toEqual([]);
  });

  it.each([
    ['an absolute target', '      - link: { source: bin/x, target: /etc/passwd }\n', 'step "link" target "/etc/passwd" is outside the prefix /home/kim/.local'],
    ['a .. escape', '      - write: { content: x, to: ../../../../../.bashrc }\n', 'step "write" to "../../../../../.bashrc" is outside the prefix /home/kim/.local'],
    ['an escape through ${prefix}', '      - copy: { source: a, to: "${prefix}/../.ssh/authorized_keys" }\n', 'step "copy" to "/home/kim/.local/../.ssh/authorized_keys" is outside the prefix'],
    ['an escape through a setting', '      - write: { content: x, to: "${settings.dest}/x" }\n', 'step "write" to "/tmp/x" is outside the prefix'],
    ['an extract outside', '      - extract: { archive: a.tgz, to: /opt }\n', 'step "extract" to "/opt" is outside the prefix'],
    ['a cwd outside', '      - exec: { argv: [ls], cwd: /root }\n', 'step "exec" cwd "/root" is outside the prefix'],
    ['a write into another package', '      - write: { content: x, to: "${prefix}/lib/lore/other/1.0.0/x" }\n', 'may not be written'],
  ])('rejects %s at plan time with the step line', async (_case, steps, message) => {
    const extra = 'settings:\n  dest:\n    description: d\n    type: string\n    default: /tmp\n';
    const registry = await evilRegistry(steps, extra);
    const error = await rejection(planOf(registry, ['evil']));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain(message);
    expect(error.path).toBe(join(dir, 'packages/evil/package.yaml'));
    expect(error.line).toBe(12);
  });

  it.each([
    ['an unknown variable', '      - write: { content: "${nmae}", to: x }\n', 'step "write" content uses unknown variable "${nmae}" (did you mean "${name}"?)'],
    ['a download without a source', '      - download: { to: x.tgz }\n', 'step "download" names no url and the package has no source for this platform'],
    ['a download url without sha256', '      - download: { url: "https://example.invalid/x", to: x.tgz }\n', 'step "download" with a url needs a sha256'],
    ['a download with a malformed sha256', '      - download: { url: "https://example.invalid/x", sha256: "md5:abc", to: x.tgz }\n', 'step "download" sha256 "md5:abc" is not 64 lowercase hex digits (optionally "sha256:")'],
    ['an undeclared feature in when', '      - write: { content: x, to: y }\n        when: { feature: colour }\n', 'step "write" tests the undeclared feature "colour"'],
    ['an undeclared setting in when', '      - write: { content: x, to: y }\n        when: { setting: { theme: dark } }\n', 'step "write" tests the undeclared setting "theme"'],
  ])('rejects %s with the step line', async (_case, steps, message) => {
    const error = await rejection(planOf(await evilRegistry(steps), ['evil']));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe(message);
    expect(error.line).toBe(7);
  });

  it('interpolates source, settings and features, and resolves a relative download url', async () => {
    const extra = `sources:\n  - { url: files/evil.tgz, sha256: ${'a'.repeat(64)} }\nfeatures:\n  fast:\n    description: f\nsettings:\n  level:\n    description: l\n    type: number\n    default: 3\n`;
    const steps = `      - write: { content: "\${source.url} \${source.sha256} \${settings.level} \${features.fast} \${os}/\${arch}", to: info }\n      - download: { url: "files/extra-\${version}.tgz", sha256: "\${source.sha256}", to: extra.tgz }\n`;
    const { graph } = await planOf(await evilRegistry(steps, extra), ['evil']);
    expect(node(graph, 'evil.install.1.write').slots['content']).toEqual({
      kind: 'immediate',
      value: `${join(dir, 'files/evil.tgz')} sha256:${'a'.repeat(64)} 3 false linux/amd64`,
    });
    expect(node(graph, 'evil.install.2.download').slots['url']).toEqual({ kind: 'immediate', value: join(dir, 'files/extra-1.0.0.tgz') });
  });

  it('refuses a relative prefix', async () => {
    const resolution = await resolveInstall(fixtures, ['hello-tool'], { platform: LINUX });
    expect(() => buildInstallPlan(resolution, { prefix: 'local', catalog: createDefaultRegistry(), registry: fixtures })).toThrow(/must be an absolute path/);
  });
});

describe('expandPrefix', () => {
  it.each([
    [undefined, '/home/kim/.local'],
    ['~', '/home/kim'],
    ['~/opt', '/home/kim/opt'],
    ['/opt/lore/', '/opt/lore'],
  ])('expands %s', (prefix, expected) => {
    expect(expandPrefix(prefix, '/home/kim')).toBe(expected);
  });
});
