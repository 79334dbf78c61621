import { describe, expect, it } from 'vitest';
import type { ItemHandle, Plan } from '../../src/plan/index.js';
import { immediate, promise, proxy } from '../../src/graph/index.js';
import type { Graph } from '../../src/graph/index.js';
import { testPlan } from './test-registry.js';
import { thrown } from '../helpers/thrown.js';

const items = [
  { source: '/r/a', target: '/h/a' },
  { source: '/r/b', target: '/h/b' },
];

describe('Plan.gather', () => {
  it('makes a flow.gather node and a body phase whose nodes hold proxy slots', () => {
    const plan = testPlan();
    const gather = plan.gather(
      items,
      (body, item) => {
        body.link(item.field('source'), item.field('target'));
      },
      { id: 'links', limit: 4 },
    );
    const graph = plan.graph();
    expect(graph.nodes).toEqual([
      {
        id: 'links',
        action: 'flow.gather',
        status: 'pending',
        slots: { items: immediate(items), body: immediate('links.body'), limit: immediate(4) },
        phase: 'phase.main',
      },
      {
        id: 'link:links.item.target',
        action: 'file.link',
        status: 'pending',
        slots: { source: proxy('links', 'source'), path: proxy('links', 'target') },
        phase: 'links.body',
      },
    ]);
    expect(graph.phases).toEqual([
      { id: 'phase.main', name: 'main', status: 'pending', nodes: ['links'] },
      { id: 'links.body', name: 'links body', status: 'pending', role: 'body', nodes: ['link:links.item.target'] },
    ]);
    expect(gather.id).toBe('links');
  });

  it('binds the whole item with the item handle', () => {
    const plan = testPlan();
    plan.gather(['jq', 'fd'], (body, item) => body.install('brew', item));
    const node = plan.graph().nodes[1];
    expect(node?.slots['packages']).toEqual(proxy('gather:jq,fd'));
  });

  it('takes items from another node’s result with a data edge', () => {
    const plan = testPlan();
    const list = plan.exec(['ls', '/r']);
    const gather = plan.gather(list.field('stdout_tail'), (body, item) => body.mkdir(item));
    const graph = plan.graph();
    expect(graph.nodes[1]?.slots['items']).toEqual(promise(list.id, 'stdout_tail'));
    expect(graph.edges).toEqual([{ from: list.id, to: gather.id, kind: 'data' }]);
  });

  it('orders the gather after an outside node that its body consumes', () => {
    const plan = testPlan();
    const template = plan.render('/r/t.hbs');
    const gather = plan.gather(['/h/a', '/h/b'], (body, item) => body.copy(template, item));
    const graph = plan.graph();
    const copyId = graph.nodes[2]?.id ?? '';
    expect(graph.nodes[2]?.slots).toEqual({ content: promise(template.id), path: proxy(gather.id) });
    expect(graph.edges).toEqual([
      { from: template.id, to: copyId, kind: 'data' },
      { from: template.id, to: gather.id, kind: 'order' },
    ]);
  });

  it('keeps body-internal promises inside the body', () => {
    const plan = testPlan();
    plan.gather(['/r/a.age'], (body, item) => {
      const secret = body.decrypt(item);
      body.copy(secret, '/h/out', { mode: '0600' });
    }, { id: 'gather' });
    const graph = plan.graph();
    expect(graph.edges).toEqual([{ from: 'decrypt:gather.item', to: 'copy:/h/out', kind: 'data' }]);
    expect(graph.phases?.[1]?.nodes).toEqual(['decrypt:gather.item', 'copy:/h/out']);
  });

  it('supports a gather inside a gather, ordering the inner gather after outer body nodes it needs', () => {
    const plan = testPlan();
    const outerBody = (outer: Plan, dir: ItemHandle): void => {
      const made = outer.mkdir(dir, { id: 'made' });
      const innerBody = (inner: Plan, file: ItemHandle): void => {
        inner.write(file, 'hi', { id: 'w' });
        inner.dependsOn(made, inner.backup(file));
      };
      outer.gather(['1', '2'], innerBody, { id: 'inner' });
    };
    plan.gather(['x', 'y'], outerBody, { id: 'outer' });
    const graph = plan.graph();
    expect(graph.phases?.map((phase) => [phase.id, phase.nodes])).toEqual([
      ['phase.main', ['outer']],
      ['outer.body', ['made', 'inner']],
      ['inner.body', ['w', 'backup:inner.item']],
    ]);
    expect(graph.edges).toEqual([
      { from: 'made', to: 'backup:inner.item', kind: 'order' },
      { from: 'made', to: 'inner', kind: 'order' },
    ]);
  });

  it('rejects the item used outside its body', () => {
    const plan = testPlan();
    let escaped: ItemHandle | undefined;
    plan.gather([1], (body, item) => {
      escaped = item;
      body.mkdir(item);
    });
    const error = thrown(() => plan.mkdir((escaped as ItemHandle).field('x')));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('node "mkdir:gather.item.x" uses the item of gather "gather" outside its body');
  });

  it('rejects an outside node depending on a body node', () => {
    const plan = testPlan();
    let inside: ReturnType<Plan['mkdir']> | undefined;
    const gather = plan.gather([1], (body, item) => {
      inside = body.mkdir(item);
    });
    const after = plan.backup('/h/x');
    expect(thrown(() => plan.dependsOn(inside as ReturnType<Plan['mkdir']>, after)).message).toMatch(
      /^node "backup:\/h\/x" cannot depend on "mkdir:gather.item": it runs inside body phase "gather.body", once per item/,
    );
    expect(plan.dependsOn(gather, after)).toBe('order');
  });

  it('rejects an empty body and a phase opened inside a body', () => {
    expect(thrown(() => testPlan().gather([1], () => undefined)).message).toBe(
      'body phase "gather.body" of "gather" has no nodes',
    );
    const error = thrown(() => testPlan().gather([1], (body) => body.phase('nested')));
    expect(error.message).toBe('cannot open phase "nested" inside a flow body');
  });

  it('joins the current explicit phase instead of an implicit main phase', () => {
    const plan = testPlan();
    plan.phase('deploy');
    plan.gather([1], (body, item) => body.mkdir(item));
    const graph = plan.graph();
    expect(graph.phases?.map((phase) => [phase.id, phase.role, phase.nodes])).toEqual([
      ['phase.deploy', undefined, ['gather']],
      ['gather.body', 'body', ['mkdir:gather.item']],
    ]);
  });
});

describe('Plan.choose', () => {
  function chooseGraph(): Graph {
    const plan = testPlan();
    const os = plan.exec(['uname', '-s'], { id: 'os' });
    plan.choose(
      os.field('stdout_tail'),
      [
        { when: { equals: 'Linux' }, then: (p) => p.install('apt', ['jq']) },
        { when: { one_of: ['Darwin', 'FreeBSD'] }, then: (p) => p.install('brew', ['jq']), name: 'bsd-ish' },
        { when: { matches: '^MINGW' }, then: (p) => p.exec('echo windows') },
      ],
      { id: 'pick', else: (p) => p.exec('echo unsupported') },
    );
    return plan.graph();
  }

  it('makes a flow.choose node with a branch table and one body phase per branch', () => {
    const graph = chooseGraph();
    expect(graph.nodes[1]).toEqual({
      id: 'pick',
      action: 'flow.choose',
      status: 'pending',
      slots: {
        value: promise('os', 'stdout_tail'),
        branches: immediate([
          { when: { equals: 'Linux' }, phase: 'pick.branch1' },
          { when: { one_of: ['Darwin', 'FreeBSD'] }, phase: 'pick.branch2' },
          { when: { matches: '^MINGW' }, phase: 'pick.branch3' },
        ]),
        else: immediate('pick.else'),
      },
      phase: 'phase.main',
    });
    expect(graph.phases?.map((phase) => [phase.id, phase.name, phase.role, phase.nodes])).toEqual([
      ['phase.main', 'main', undefined, ['os', 'pick']],
      ['pick.branch1', 'pick branch 1', 'body', ['install:apt:jq']],
      ['pick.branch2', 'bsd-ish', 'body', ['install:brew:jq']],
      ['pick.branch3', 'pick branch 3', 'body', ['exec:echo windows']],
      ['pick.else', 'pick else', 'body', ['exec:echo unsupported']],
    ]);
    expect(graph.edges).toEqual([{ from: 'os', to: 'pick', kind: 'data' }]);
  });

  it('accepts falsy values to compare against', () => {
    const plan = testPlan();
    plan.choose(0, [
      { when: { equals: false }, then: (p) => p.mkdir('/a') },
      { when: { truthy: false }, then: (p) => p.mkdir('/b') },
    ]);
    const node = plan.graph().nodes[0];
    expect(node?.id).toBe('choose:0');
    expect(node?.slots['value']).toEqual(immediate(0));
    expect(node?.slots['branches']).toEqual(
      immediate([
        { when: { equals: false }, phase: 'choose:0.branch1' },
        { when: { truthy: false }, phase: 'choose:0.branch2' },
      ]),
    );
  });

  it.each<[string, unknown, RegExp]>([
    ['two keys', { equals: 1, truthy: true }, /exactly one key/],
    ['an unknown key', { above: 1 }, /exactly one key/],
    ['one_of without an array', { one_of: 'a' }, /one_of needs an array/],
    ['truthy without a boolean', { truthy: 'yes' }, /truthy needs a boolean/],
    ['a bad regex', { matches: '(' }, /invalid regular expression/],
  ])('rejects a predicate with %s', (_name, when, message) => {
    const error = thrown(() => testPlan().choose('x', [{ when: when as never, then: (p) => p.mkdir('/a') }]));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(message);
  });

  it('needs at least one branch', () => {
    expect(thrown(() => testPlan().choose('x', [])).message).toBe('choose needs at least one branch');
  });
});
