import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Plan } from '../../src/plan/index.js';
import type { NodeHandle } from '../../src/plan/index.js';
import { immediate, promise } from '../../src/graph/index.js';
import type { Graph, JsonValue, Node } from '../../src/graph/index.js';
import { testRegistry } from './test-registry.js';

const TIMESTAMP = '2026-01-31T12:00:00.000Z';
const PLATFORM = { os: 'linux', arch: 'x64' };

function newPlan(project?: string): Plan {
  return new Plan(testRegistry(), {
    tool: 'writ',
    timestamp: TIMESTAMP,
    platform: PLATFORM,
    ...(project === undefined ? {} : { project }),
  });
}

/** The only node of a plan built by `build`. */
function onlyNode(build: (plan: Plan) => NodeHandle): Node {
  const plan = newPlan();
  const handle = build(plan);
  const graph = plan.graph();
  expect(graph.nodes).toHaveLength(1);
  expect(graph.nodes[0]?.id).toBe(handle.id);
  return graph.nodes[0] as Node;
}

describe('Plan methods', () => {
  it.each<[string, (plan: Plan) => NodeHandle, Pick<Node, 'id' | 'action' | 'slots'>]>([
    ['mkdir', (p) => p.mkdir('/h/.config'), { id: 'mkdir:/h/.config', action: 'file.mkdir', slots: { path: immediate('/h/.config') } }],
    ['mkdir with a numeric mode', (p) => p.mkdir('/h/.ssh', { mode: 0o700 }), { id: 'mkdir:/h/.ssh', action: 'file.mkdir', slots: { path: immediate('/h/.ssh'), mode: immediate('0700') } }],
    ['link', (p) => p.link('/repo/bashrc', '/h/.bashrc'), { id: 'link:/h/.bashrc', action: 'file.link', slots: { source: immediate('/repo/bashrc'), path: immediate('/h/.bashrc') } }],
    ['copy of a file', (p) => p.copy('/repo/gitconfig', '/h/.gitconfig', { mode: '0600' }), { id: 'copy:/h/.gitconfig', action: 'file.copy', slots: { source: immediate('/repo/gitconfig'), path: immediate('/h/.gitconfig'), mode: immediate('0600') } }],
    ['write', (p) => p.write('/h/.hushlogin', 'quiet\n'), { id: 'write:/h/.hushlogin', action: 'file.write', slots: { path: immediate('/h/.hushlogin'), content: immediate('quiet\n') } }],
    ['render of a file', (p) => p.render('/repo/t.hbs', { variables: { user: 'kim' } }), { id: 'render:/repo/t.hbs', action: 'template.render', slots: { source: immediate('/repo/t.hbs'), variables: immediate({ user: 'kim' }) } }],
    ['decrypt', (p) => p.decrypt('/repo/s.age', { identity: '/h/key.txt' }), { id: 'decrypt:/repo/s.age', action: 'secret.decrypt', slots: { source: immediate('/repo/s.age'), identity: immediate('/h/key.txt') } }],
    ['remove', (p) => p.remove('/h/old'), { id: 'remove:/h/old', action: 'file.remove', slots: { path: immediate('/h/old') } }],
    ['unlink', (p) => p.unlink('/h/.vimrc'), { id: 'unlink:/h/.vimrc', action: 'file.unlink', slots: { path: immediate('/h/.vimrc') } }],
    ['backup', (p) => p.backup('/h/.zshrc'), { id: 'backup:/h/.zshrc', action: 'file.backup', slots: { path: immediate('/h/.zshrc') } }],
    ['move', (p) => p.move('/h/a', '/h/b'), { id: 'move:/h/b', action: 'file.move', slots: { source: immediate('/h/a'), path: immediate('/h/b') } }],
    ['download', (p) => p.download('https://x.test/t.tgz', '/tmp/t.tgz', { sha256: 'ab'.repeat(32), mode: '0644', timeout: '30s' }), { id: 'download:/tmp/t.tgz', action: 'net.download', slots: { url: immediate('https://x.test/t.tgz'), path: immediate('/tmp/t.tgz'), sha256: immediate('ab'.repeat(32)), mode: immediate('0644'), timeout: immediate('30s') } }],
    ['extract', (p) => p.extract('/tmp/t.tgz', '/opt/t', { strip: 1 }), { id: 'extract:/opt/t', action: 'archive.extract', slots: { archive: immediate('/tmp/t.tgz'), path: immediate('/opt/t'), strip: immediate(1) } }],
    ['exec of an argv', (p) => p.exec(['git', 'init'], { cwd: '/w', env: { A: '1' }, creates: ['/w/.git'], undo: ['rm', '-rf', '/w/.git'], timeout: '1m' }), { id: 'exec:git init', action: 'shell.exec', slots: { argv: immediate(['git', 'init']), cwd: immediate('/w'), env: immediate({ A: '1' }), creates: immediate(['/w/.git']), undo: immediate(['rm', '-rf', '/w/.git']), timeout: immediate('1m') } }],
    ['exec of a shell command', (p) => p.exec('echo hi > /tmp/x'), { id: 'exec:echo hi > /tmp/x', action: 'shell.exec', slots: { command: immediate('echo hi > /tmp/x') } }],
    ['install', (p) => p.install('apt', ['ripgrep', 'fd-find']), { id: 'install:apt:ripgrep,fd-find', action: 'pkg.install', slots: { manager: immediate('apt'), packages: immediate(['ripgrep', 'fd-find']) } }],
    ['install of one package as a string', (p) => p.install('brew', 'jq'), { id: 'install:brew:jq', action: 'pkg.install', slots: { manager: immediate('brew'), packages: immediate(['jq']) } }],
    ['uninstall', (p) => p.uninstall('npm', ['typescript']), { id: 'uninstall:npm:typescript', action: 'pkg.remove', slots: { manager: immediate('npm'), packages: immediate(['typescript']) } }],
    ['link with a conflict resolution', (p) => p.link('/r/a', '/h/a', { onConflict: 'adopt' }), { id: 'link:/h/a', action: 'file.link', slots: { source: immediate('/r/a'), path: immediate('/h/a'), on_conflict: immediate('adopt') } }],
    ['add of any action', (p) => p.add('file.link', { source: '/a', path: '/b' }), { id: 'file.link:/b', action: 'file.link', slots: { source: immediate('/a'), path: immediate('/b') } }],
  ])('%s makes the expected node', (_name, build, expected) => {
    expect(onlyNode(build)).toEqual({ ...expected, status: 'pending' });
  });

  it('records project, layer and annotations from the options, the plan project by default', () => {
    const plan = newPlan('dotfiles');
    plan.link('/r/a', '/h/a');
    plan.link('/r/b', '/h/b', { project: 'other', layer: 'base', annotations: { why: 'test' } });
    const [first, second] = plan.graph().nodes;
    expect(first).toMatchObject({ project: 'dotfiles' });
    expect(first).not.toHaveProperty('layer');
    expect(second).toMatchObject({ project: 'other', layer: 'base', annotations: { why: 'test' } });
  });

  it('keeps falsy immediates', () => {
    const node = onlyNode((p) => p.add('shell.exec', { command: '', timeout: 0, env: false }));
    expect(node.slots).toEqual({ command: immediate(''), timeout: immediate(0), env: immediate(false) });
    const strip = onlyNode((p) => p.extract('/a.tgz', '/opt', { strip: 0 }));
    expect(strip.slots['strip']).toEqual(immediate(0));
    const empty = onlyNode((p) => p.write('/h/empty', ''));
    expect(empty.slots['content']).toEqual(immediate(''));
  });

  it('records any JSON value as an immediate unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const node = onlyNode((p) => p.add('shell.exec', { command: 'true', env: value as JsonValue }));
        expect(node.slots['env']).toEqual(immediate(value as JsonValue));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves unset optional slots out instead of writing undefined', () => {
    const node = onlyNode((p) => p.copy('/r/a', '/h/a'));
    expect(Object.keys(node.slots)).toEqual(['source', 'path']);
  });
});

describe('Plan graph', () => {
  it('returns a pending graph with the plan metadata and no phases when none were opened', () => {
    const plan = new Plan(testRegistry(), {
      tool: 'lore',
      timestamp: TIMESTAMP,
      platform: PLATFORM,
      context: { packages: ['ripgrep'], target_root: '/' },
    });
    plan.install('apt', ['ripgrep']);
    const graph = plan.graph();
    expect(graph).toEqual({
      version: '1',
      tool: 'lore',
      timestamp: TIMESTAMP,
      state: 'pending',
      platform: PLATFORM,
      context: { packages: ['ripgrep'], target_root: '/' },
      nodes: [
        {
          id: 'install:apt:ripgrep',
          action: 'pkg.install',
          status: 'pending',
          slots: { manager: immediate('apt'), packages: immediate(['ripgrep']) },
        },
      ],
      edges: [],
    } satisfies Graph);
  });

  it('does not report slots the run provides as missing', () => {
    const build = (provided?: readonly string[]): Graph => {
      const plan = new Plan(testRegistry(), { tool: 'writ', timestamp: TIMESTAMP, ...(provided ? { provided } : {}) });
      plan.add('file.link', { path: '/h/x' });
      return plan.graph();
    };
    expect(() => build()).toThrow(/missing required slot "source"/);
    expect(build(['source']).nodes).toHaveLength(1);
  });

  it('takes the timestamp from an injected clock', () => {
    const clock = { now: () => new Date(Date.UTC(2030, 4, 6, 7, 8, 9, 10)) };
    const graph = new Plan(testRegistry(), { tool: 'writ', clock }).graph();
    expect(graph.timestamp).toBe('2030-05-06T07:08:09.010Z');
    expect(graph.platform).toEqual({ os: process.platform, arch: process.arch });
  });

  it.each(['2026-01-31T12:00:00Z', '2026-01-31 12:00:00.000Z', '2026-13-31T12:00:00.000Z'])(
    'rejects the timestamp %s',
    (timestamp) => {
      expect(() => new Plan(testRegistry(), { tool: 'writ', timestamp })).toThrow(
        expect.objectContaining({ code: 'invalid-input' }),
      );
    },
  );

  it('returns independent copies: mutating one graph changes neither the plan nor the next graph', () => {
    const context = { variables: { user: 'kim' } };
    const plan = new Plan(testRegistry(), { tool: 'writ', timestamp: TIMESTAMP, platform: PLATFORM, context });
    const variables = { user: 'kim' };
    plan.render('/r/t', { variables });
    variables.user = 'changed';
    const first = plan.graph();
    (first.nodes[0] as Node).status = 'failed';
    first.edges.push({ from: 'x', to: 'y', kind: 'order' });
    const second = plan.graph();
    expect(second.nodes[0]?.status).toBe('pending');
    expect(second.nodes[0]?.slots['variables']).toEqual(immediate({ user: 'kim' }));
    expect(second.edges).toEqual([]);
  });

  it('builds deep-equal graphs from the same calls', () => {
    const build = (): Graph => {
      const plan = newPlan('p');
      plan.phase('files', { retry: { max_attempts: 2, backoff: 'linear', initial_delay: '1s' } });
      const secret = plan.decrypt('/r/netrc.age');
      const text = plan.render(secret, { variables: { a: 1 } });
      plan.copy(text, '/h/.netrc', { mode: '0600' });
      plan.link('/r/a', '/h/a');
      plan.link('/r/a', '/h/b', { id: 'link:/h/a#2' });
      plan.phase('packages');
      plan.install('apt', ['jq']);
      plan.gather(['x', 'y'], (body, item) => body.exec(['echo', 'hi'], { cwd: item }));
      return plan.graph();
    };
    expect(build()).toEqual(build());
  });
});

describe('Plan promise chains', () => {
  it('wires decrypt → render → copy with promise slots and data edges', () => {
    const plan = newPlan();
    const secret = plan.decrypt('/r/netrc.age');
    const text = plan.render(secret, { variables: { user: 'kim' } });
    const copy = plan.copy(text, '/h/.netrc', { mode: '0600' });
    const graph = plan.graph();
    expect(graph.nodes.map((node) => [node.id, node.action, node.slots])).toEqual([
      ['decrypt:/r/netrc.age', 'secret.decrypt', { source: immediate('/r/netrc.age') }],
      ['render:decrypt:/r/netrc.age', 'template.render', { content: promise(secret.id), variables: immediate({ user: 'kim' }) }],
      ['copy:/h/.netrc', 'file.copy', { content: promise(text.id), path: immediate('/h/.netrc'), mode: immediate('0600') }],
    ]);
    expect(graph.edges).toEqual([
      { from: secret.id, to: text.id, kind: 'data' },
      { from: text.id, to: copy.id, kind: 'data' },
    ]);
  });

  it('uses a field of a result as a promise with its slot', () => {
    const plan = newPlan();
    const tarball = plan.download('https://x.test/a.tgz', '/tmp/a.tgz', { sha256: '00'.repeat(32) });
    const unpack = plan.extract(tarball.field('path'), '/opt/a');
    const graph = plan.graph();
    expect(graph.nodes[1]?.slots['archive']).toEqual(promise(tarball.id, 'path'));
    expect(graph.edges).toEqual([{ from: tarball.id, to: unpack.id, kind: 'data' }]);
  });

  it('adds one data edge when a node promises the same producer twice', () => {
    const plan = newPlan();
    const rendered = plan.render('/r/t');
    const both = plan.add('file.write', { path: '/h/x', content: rendered, mode: rendered.field('mode') });
    expect(plan.graph().edges).toEqual([{ from: rendered.id, to: both.id, kind: 'data' }]);
  });

  it('treats a handle given to copy as a source path when asked', () => {
    const plan = newPlan();
    const download = plan.download('https://x.test/f', '/tmp/f', { sha256: '11'.repeat(32) });
    plan.copy(download.field('path'), '/h/f', { as: 'source' });
    expect(plan.graph().nodes[1]?.slots['source']).toEqual(promise(download.id, 'path'));
  });

  it('passes a referenced argv or command to exec', () => {
    const plan = newPlan();
    const rendered = plan.render('/r/cmd');
    plan.exec(rendered, { as: 'command' });
    plan.exec(rendered.field('argv'));
    const [, command, argv] = plan.graph().nodes;
    expect(command?.slots).toEqual({ command: promise(rendered.id) });
    expect(argv?.slots).toEqual({ argv: promise(rendered.id, 'argv') });
  });
});
