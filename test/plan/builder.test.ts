import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeHandle } from '../../src/plan/index.js';
import { WritLoreError } from '../../src/graph/index.js';
import type { Graph } from '../../src/graph/index.js';
import { testPlan } from './test-registry.js';
import { thrown } from '../helpers/thrown.js';

describe('node ids', () => {
  it('derives <verb>:<path> and suffixes repeats with #2, #3', () => {
    const plan = testPlan();
    const ids = [
      plan.backup('/h/x').id,
      plan.backup('/h/x').id,
      plan.backup('/h/x').id,
      plan.exec(['true']).id,
      plan.exec(['true']).id,
    ];
    expect(ids).toEqual(['backup:/h/x', 'backup:/h/x#2', 'backup:/h/x#3', 'exec:true', 'exec:true#2']);
  });

  it('uses an explicit id and skips it when deriving later ids', () => {
    const plan = testPlan();
    expect(plan.backup('/h/y', { id: 'backup:/h/x' }).id).toBe('backup:/h/x');
    expect(plan.backup('/h/x').id).toBe('backup:/h/x#2');
  });

  it('rejects an explicit id already taken', () => {
    const plan = testPlan();
    plan.backup('/h/x');
    const error = thrown(() => plan.backup('/h/z', { id: 'backup:/h/x' }));
    expect(error.code).toBe('invalid-graph');
    expect(error.message).toBe('duplicate node id "backup:/h/x"');
  });

  it('shortens very long keys', () => {
    const id = testPlan().exec('x'.repeat(200)).id;
    expect(id).toBe(`exec:${'x'.repeat(77)}...`);
  });

  it('falls back to the verb when the first argument has no short form', () => {
    const plan = testPlan();
    expect(plan.gather([1, 2], (body) => body.exec(['true'])).id).toBe('gather');
    expect(plan.gather([{ a: 1 }], (body) => body.exec(['true'])).id).toBe('gather#2');
  });
});

describe('slot inputs', () => {
  it.each<[string, unknown, RegExp]>([
    ['undefined inside a value', { a: undefined }, /slot "variables" of node "render:\/r\/t"\.a holds undefined/],
    ['NaN', Number.NaN, /holds NaN, which is not JSON/],
    ['bytes', Buffer.from('secret'), /holds bytes/],
    ['a Date', new Date(0), /holds a Date, which is not JSON/],
    ['a function', () => 1, /holds a function, which is not JSON/],
  ])('rejects %s as an immediate', (_name, variables, message) => {
    const plan = testPlan();
    const error = thrown(() => plan.render('/r/t', { variables: variables as never }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(message);
  });

  it('keeps a "__proto__" key of parsed JSON as data', () => {
    const plan = testPlan();
    const variables = JSON.parse('{"__proto__": {"polluted": true}, "b": 2}') as Record<string, unknown>;
    plan.render('/r/t', { variables: variables as never });
    const slot = plan.graph().nodes[0]?.slots['variables'];
    const value = slot?.kind === 'immediate' ? (slot.value as Record<string, unknown>) : {};
    expect(Object.keys(value)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects a handle nested inside a value', () => {
    const plan = testPlan();
    const secret = plan.decrypt('/r/s.age');
    const error = thrown(() => plan.render('/r/t', { variables: { secret } as never }));
    expect(error.message).toMatch(/holds a handle inside a value/);
    expect(error.hint).toBe('a handle must be a whole slot value');
  });

  it('rejects a handle from another plan', () => {
    const other = testPlan().decrypt('/r/s.age');
    const error = thrown(() => testPlan().render(other));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('node "render:decrypt:/r/s.age" uses node "decrypt:/r/s.age", which belongs to another plan');
  });

  it.each([[-1], [0o10000], [1.5], ['rwx'], ['0800']])('rejects the mode %j', (mode) => {
    expect(thrown(() => testPlan().mkdir('/h/d', { mode })).code).toBe('invalid-input');
  });

  it('normalises three-digit modes to four digits', () => {
    const plan = testPlan();
    plan.mkdir('/h/d', { mode: '755' });
    expect(plan.graph().nodes[0]?.slots['mode']).toEqual({ kind: 'immediate', value: '0755' });
  });

  it('rejects an unknown action at once, suggesting the closest name', () => {
    const error = thrown(() => testPlan().add('file.lnk', { source: '/a', path: '/b' }));
    expect(error.code).toBe('unknown-action');
    expect(error.message).toBe('unknown action "file.lnk" (did you mean "file.link"?)');
  });

  it('rejects non-string annotations', () => {
    const error = thrown(() => testPlan().backup('/x', { annotations: { n: 1 as unknown as string } }));
    expect(error.message).toBe('annotation "n" of node "backup:/x" must be a string');
  });
});

describe('dependsOn and orders', () => {
  it('dependsOn adds an order edge between unrelated nodes and reports its kind', () => {
    const plan = testPlan();
    const dir = plan.mkdir('/h/.config');
    const link = plan.link('/r/nvim', '/h/.config/nvim');
    expect(plan.dependsOn(dir, link)).toBe('order');
    expect(plan.dependsOn(dir, link)).toBe('order');
    expect(plan.graph().edges).toEqual([{ from: dir.id, to: link.id, kind: 'order' }]);
  });

  it('dependsOn accepts an existing data edge without adding another', () => {
    const plan = testPlan();
    const text = plan.render('/r/t');
    const copy = plan.copy(text, '/h/t');
    expect(plan.dependsOn(text, copy)).toBe('data');
    expect(plan.graph().edges).toEqual([{ from: text.id, to: copy.id, kind: 'data' }]);
  });

  it('orders adds an order edge and refuses to duplicate a data edge', () => {
    const plan = testPlan();
    const update = plan.exec(['apt-get', 'update']);
    const install = plan.install('apt', ['jq']);
    plan.orders(update, install);
    expect(plan.graph().edges).toEqual([{ from: update.id, to: install.id, kind: 'order' }]);
    const text = plan.render('/r/t');
    const copy = plan.copy(text, '/h/t');
    expect(thrown(() => plan.orders(text, copy)).message).toBe(
      `"${copy.id}" already uses the result of "${text.id}"; its data edge orders them`,
    );
  });

  it('refuses to order a node after itself', () => {
    const plan = testPlan();
    const node = plan.mkdir('/h/d');
    expect(thrown(() => plan.orders(node, node)).code).toBe('invalid-input');
  });

  it('graph() rejects a dependsOn cycle, naming the cycle', () => {
    const plan = testPlan();
    const a = plan.mkdir('/a');
    const b = plan.mkdir('/b');
    const c = plan.mkdir('/c');
    plan.dependsOn(a, b);
    plan.dependsOn(b, c);
    plan.dependsOn(c, a);
    const error = thrown(() => plan.graph());
    expect(error.code).toBe('invalid-graph');
    expect(error.message).toMatch(/cycle: .*mkdir:\/a.*mkdir:\/b.*mkdir:\/c/);
  });

  it('graph() reports every problem at once', () => {
    const plan = testPlan();
    plan.link('/r/x', '/h/x');
    plan.link('/r/y', '/h/x');
    const a = plan.mkdir('/a');
    const b = plan.mkdir('/b');
    plan.orders(a, b);
    plan.orders(b, a);
    const error = thrown(() => plan.graph());
    expect(error.message).toMatch(/^2 problems in the graph:/);
    expect(error.message).toMatch(/both write "\/h\/x"/);
  });
});

describe('builder invariants', () => {
  type Step = { readonly kind: 'render' | 'copy' | 'order'; readonly pick: number; readonly other: number };
  const step = fc.record({
    kind: fc.constantFrom<Step['kind']>('render', 'copy', 'order'),
    pick: fc.nat(),
    other: fc.nat(),
  });

  function run(steps: readonly Step[]): Graph {
    const plan = testPlan();
    const handles: NodeHandle[] = [plan.render('/r/seed')];
    steps.forEach(({ kind, pick, other }, index) => {
      const from = handles[pick % handles.length] as NodeHandle;
      if (kind === 'render') handles.push(plan.render(from, { variables: { index } }));
      if (kind === 'copy') handles.push(plan.copy(from.field('bytes'), `/h/${index}`));
      if (kind === 'order') {
        const [first, second] = [pick % handles.length, other % handles.length].sort((a, b) => a - b);
        if (first !== second) plan.dependsOn(handles[first ?? 0] as NodeHandle, handles[second ?? 0] as NodeHandle);
      }
    });
    return plan.graph();
  }

  it('gives every promise slot its data edge and builds a valid graph', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const graph = run(steps);
        const edges = new Set(graph.edges.filter((edge) => edge.kind === 'data').map((edge) => `${edge.from}>${edge.to}`));
        for (const node of graph.nodes) {
          for (const slot of Object.values(node.slots)) {
            if (slot.kind === 'promise') expect(edges.has(`${slot.node}>${node.id}`)).toBe(true);
          }
        }
        expect(run(steps)).toEqual(graph);
      }),
      { numRuns: 150 },
    );
  });
});

describe('rejected calls', () => {
  it('leave the plan as it was: no node, no reserved id, no edge', () => {
    const plan = testPlan();
    const text = plan.render('/r/t');
    expect(() => plan.copy(text, '/h/x', { mode: 'bad' })).toThrow(WritLoreError);
    expect(() => plan.add('file.copy', { content: text, path: '/h/x', mode: Number.NaN })).toThrow(WritLoreError);
    const copy = plan.copy(text, '/h/x');
    expect(copy.id).toBe('copy:/h/x');
    expect(plan.graph().edges).toEqual([{ from: text.id, to: copy.id, kind: 'data' }]);
  });

  it('leave no phase behind when a flow node is rejected', () => {
    const plan = testPlan();
    expect(() => plan.gather([Number.NaN], (body) => body.mkdir('/a'))).toThrow(WritLoreError);
    expect(() => plan.choose('x', [{ when: { truthy: 'no' } as never, then: (p) => p.mkdir('/a') }])).toThrow(WritLoreError);
    plan.mkdir('/b');
    const graph = plan.graph();
    expect(graph.phases).toBeUndefined();
    expect(graph.nodes.map((node) => node.id)).toEqual(['mkdir:/b']);
  });

  it('mark the plan broken when a body callback throws', () => {
    const plan = testPlan();
    const failure = new Error('body bug');
    expect(() =>
      plan.gather(['a', 'b'], (body) => {
        body.mkdir('/a');
        throw failure;
      }),
    ).toThrow(failure);
    const error = thrown(() => plan.graph());
    expect(error.message).toBe('the body of "gather:a,b" failed while the plan was being built, so the plan is incomplete');
    expect(error.cause).toBe(failure);
  });
});
