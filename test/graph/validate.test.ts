import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WritLoreError,
  assertValidGraph,
  immediate,
  normalizeTargetPath,
  promise,
  proxy,
  validateGraph,
} from '../../src/graph/index.js';
import type {
  ActionCatalog,
  ActionSpec,
  Edge,
  GraphProblem,
  Node,
  Phase,
  RetryPolicy,
  Slots,
} from '../../src/graph/index.js';
import { pendingGraph } from '../helpers/graph.js';

const node = (id: string, slots: Slots = {}, extra: Partial<Node> = {}): Node => ({
  id,
  action: 'test.noop',
  status: 'pending',
  slots,
  ...extra,
});
const data = (from: string, to: string): Edge => ({ from, to, kind: 'data' });
const order = (from: string, to: string): Edge => ({ from, to, kind: 'order' });
const phase = (id: string, nodes: string[], extra: Partial<Phase> = {}): Phase => ({
  id,
  name: id,
  status: 'pending',
  nodes,
  ...extra,
});

const specs: Record<string, ActionSpec> = {
  'test.noop': { required: [] },
  'file.write': { required: ['path', 'content'], optional: ['mode'], writes: ['path'] },
  'file.link': { required: ['source', 'path'], writes: ['path'] },
  'template.render': { required: [], optional: ['source', 'content', 'variables'] },
  'flow.gather': { required: ['items', 'body'], optional: ['limit'] },
  'flow.choose': { required: ['value', 'branches'], optional: ['else'] },
};
const catalog: ActionCatalog = { spec: (name) => specs[name] };

const messages = (problems: readonly GraphProblem[]): string[] => problems.map((p) => p.message);
const phased = (id: string, p: string, slots: Slots = {}, action = 'test.noop'): Node => node(id, slots, { phase: p, action });

describe('validateGraph', () => {
  it('finds nothing wrong in an empty graph or a valid chain', () => {
    expect(validateGraph(pendingGraph([]))).toEqual([]);
    const nodes = [
      node('render-2', {}, { action: 'template.render' }),
      node('copy-3', { path: immediate('/a'), content: promise('render-2') }, { action: 'file.write' }),
    ];
    expect(validateGraph(pendingGraph(nodes, [data('render-2', 'copy-3')]), { catalog })).toEqual([]);
  });

  it('reports each duplicate node and phase id once, with its count', () => {
    const problems = validateGraph(
      pendingGraph([node('a'), node('a'), node('a'), node('b')], [], [phase('p', ['a', 'b']), phase('p', [])]),
    );
    expect(problems.filter((p) => p.kind.startsWith('duplicate')).map((p) => [p.kind, p.message])).toEqual([
      ['duplicate-node', 'duplicate node id "a" (3 nodes)'],
      ['duplicate-phase', 'duplicate phase id "p" (2 phases)'],
    ]);
  });

  it('reports edges naming unknown nodes and self-edges', () => {
    const problems = validateGraph(pendingGraph([node('a')], [order('a', 'x'), order('y', 'z'), order('a', 'a')]));
    expect(problems.map((p) => [p.kind, p.message])).toEqual([
      ['dangling-edge', 'edge "a" → "x" names unknown node "x"'],
      ['dangling-edge', 'edge "y" → "z" names unknown nodes "y" and "z"'],
      ['self-edge', 'edge "a" → "a" is a self-edge (a node cannot wait for itself)'],
    ]);
  });

  it('reports promises without their data edge, to unknown nodes and to themselves', () => {
    const nodes = [
      node('render-2'),
      node('copy-3', { content: promise('render-2') }),
      node('copy-4', { content: promise('render-2', 'bytes') }),
      node('copy-5', { content: promise('ghost') }),
      node('copy-6', { content: promise('copy-6') }),
    ];
    const problems = validateGraph(pendingGraph(nodes, [order('render-2', 'copy-4')]));
    expect(problems.map((p) => [p.kind, p.message])).toEqual([
      ['missing-data-edge', 'node "copy-3" slot "content" promises node "render-2" but there is no data edge "render-2" → "copy-3"'],
      [
        'missing-data-edge',
        'node "copy-4" slot "content" promises node "render-2" but there is no data edge "render-2" → "copy-4" (there is an order edge: make it kind data)',
      ],
      ['unknown-producer', 'node "copy-5" slot "content" promises the result of unknown node "ghost"'],
      ['self-promise', 'node "copy-6" slot "content" promises its own result'],
    ]);
  });

  it('reports a proxy naming an unknown gather node', () => {
    expect(messages(validateGraph(pendingGraph([node('a', { p: proxy('g', 'path') })])))).toEqual([
      'node "a" slot "p" proxies unknown gather node "g"',
    ]);
  });

  it('names the nodes of a cycle in edge order, once', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id));
    const problems = validateGraph(pendingGraph(nodes, [order('d', 'a'), order('a', 'b'), order('b', 'c'), order('c', 'a')]));
    expect(problems).toEqual([{ kind: 'cycle', message: 'cycle: a → b → c → a', nodes: ['a', 'b', 'c'] }]);
  });

  it('reports a self-edge once, not also as a cycle', () => {
    expect(validateGraph(pendingGraph([node('a')], [order('a', 'a')])).map((p) => p.kind)).toEqual(['self-edge']);
  });

  it('reports unknown actions and missing required slots when given a catalog', () => {
    const nodes = [
      node('x', {}, { action: 'file.lnk' }),
      node('w', { mode: immediate('0644') }, { action: 'file.write' }),
      node('l', { path: immediate('/l') }, { action: 'file.link' }),
    ];
    expect(validateGraph(pendingGraph(nodes))).toEqual([]);
    expect(validateGraph(pendingGraph(nodes), { catalog }).map((p) => [p.kind, p.message])).toEqual([
      ['unknown-action', 'node "x" uses unknown action "file.lnk"'],
      ['missing-slot', 'node "w" (file.write) is missing required slots "path", "content"'],
      ['missing-slot', 'node "l" (file.link) is missing required slot "source"'],
    ]);
  });

  it('accepts a missing slot the run data provides', () => {
    const nodes = [node('w', { path: immediate('/w') }, { action: 'file.write' })];
    expect(validateGraph(pendingGraph(nodes), { catalog, provided: ['content'] })).toEqual([]);
  });

  it('reports nodes writing the same target path after normalisation', () => {
    const write = (id: string, path: string): Node =>
      node(id, { path: immediate(path), content: immediate('') }, { action: 'file.write' });
    const nodes = [
      write('a', '/home/u/.bashrc'),
      write('b', '/home/u//./.bashrc'),
      write('c', '/home/u/x/../.bashrc/'),
      write('d', '/home/u/.profile'),
      node('e', { source: immediate('/s'), path: immediate('/home/u/.profile') }, { action: 'file.link' }),
      node('f', { path: proxy('e'), content: immediate('') }, { action: 'file.write' }),
    ];
    const problems = validateGraph(pendingGraph(nodes, []), { catalog }).filter((p) => p.kind === 'duplicate-write');
    expect(problems).toEqual([
      { kind: 'duplicate-write', message: 'nodes "a", "b", "c" all write "/home/u/.bashrc" and no edges order them', nodes: ['a', 'b', 'c'], path: '/home/u/.bashrc' },
      { kind: 'duplicate-write', message: 'nodes "d" and "e" both write "/home/u/.profile" and no edges order them', nodes: ['d', 'e'], path: '/home/u/.profile' },
    ]);
  });

  it('accepts writers of one path that edges put in sequence, and reports a group that is not', () => {
    const specsWithBackup: ActionCatalog = {
      spec: (name) => (name === 'file.backup' ? { required: ['path'], writes: ['path'] } : specs[name]),
    };
    const nodes = [
      node('backup', { path: immediate('/x') }, { action: 'file.backup' }),
      node('mid', {}),
      node('write', { path: immediate('/x'), content: immediate('') }, { action: 'file.write' }),
    ];
    const chain = pendingGraph(nodes, [order('backup', 'mid'), order('mid', 'write')]);
    expect(validateGraph(chain, { catalog: specsWithBackup })).toEqual([]);
    const third = node('link', { source: immediate('/s'), path: immediate('/x') }, { action: 'file.link' });
    const partly = pendingGraph([...nodes, third], chain.edges);
    expect(messages(validateGraph(partly, { catalog: specsWithBackup }))).toEqual([
      'nodes "backup", "write", "link" all write "/x" and no edges order them',
    ]);
  });

  it('lets a compensation or body phase write a path the forward pass writes', () => {
    const write = (id: string, p: string): Node =>
      phased(id, p, { path: immediate('/etc/x'), content: immediate('') }, 'file.write');
    const nodes = [write('fwd', 'install'), write('undo', 'install.compensate'), write('undo2', 'install.compensate')];
    const phases = [
      phase('install', ['fwd'], { compensate: 'install.compensate' }),
      phase('install.compensate', ['undo', 'undo2'], { role: 'compensation' }),
    ];
    expect(messages(validateGraph(pendingGraph(nodes, [], phases), { catalog }))).toEqual([
      'nodes "undo" and "undo2" both write "/etc/x" and no edges order them',
    ]);
  });

  describe('in a phased graph', () => {
    it('accepts a saga with a compensation phase and a gather body', () => {
      const nodes = [
        phased('g', 'main', { items: immediate(['a', 'b']), body: immediate('each') }, 'flow.gather'),
        phased('item', 'each', { x: proxy('g') }),
        phased('undo', 'main.undo'),
      ];
      const phases = [
        phase('main', ['g'], { compensate: 'main.undo' }),
        phase('each', ['item'], { role: 'body' }),
        phase('main.undo', ['undo'], { role: 'compensation' }),
      ];
      expect(validateGraph(pendingGraph(nodes, [], phases), { catalog })).toEqual([]);
    });

    it('requires every node in exactly one phase, agreeing with its phase field', () => {
      const nodes = [
        node('none'),
        phased('ghost', 'nowhere'),
        phased('unlisted', 'p'),
        phased('twice', 'p'),
        phased('both', 'p'),
        node('unset'),
        phased('wrong', 'q'),
      ];
      const phases = [phase('p', ['twice', 'twice', 'both', 'unset', 'wrong', 'missing']), phase('q', ['both'])];
      expect(validateGraph(pendingGraph(nodes, [], phases)).map((p) => [p.kind, p.message])).toEqual([
        ['phase-unknown-node', 'phase "p" lists unknown node "missing"'],
        ['node-without-phase', 'node "none" belongs to no phase'],
        ['node-without-phase', 'node "ghost" names unknown phase "nowhere" and no phase lists it'],
        ['phase-mismatch', 'node "unlisted" says phase "p" but that phase does not list it'],
        ['node-in-several-phases', 'phase "p" lists node "twice" 2 times'],
        ['node-in-several-phases', 'node "both" is listed in 2 phases ("p", "q"); a node belongs to exactly one'],
        ['phase-mismatch', 'node "unset" is listed in phase "p" but its phase field is unset'],
        ['phase-mismatch', 'node "wrong" is listed in phase "p" but its phase field is "q"'],
      ]);
    });

    it('requires compensate to name a compensation phase that is not itself compensated', () => {
      const phases = [
        phase('a', [], { compensate: 'nope' }),
        phase('b', [], { compensate: 'c' }),
        phase('c', []),
        phase('d', [], { compensate: 'e' }),
        phase('e', [], { role: 'compensation', compensate: 'f' }),
        phase('f', [], { role: 'compensation' }),
      ];
      expect(messages(validateGraph(pendingGraph([], [], phases)))).toEqual([
        'phase "a" compensate names unknown phase "nope"',
        'phase "b" compensate names phase "c" whose role is "forward" (expected "compensation")',
        'compensation phase "e" may not itself be compensated (compensate: "f")',
      ]);
    });

    it('requires flow nodes to name body phases and every body phase to be used', () => {
      const branches = immediate([{ when: { equals: 1 }, phase: 'one' }, { when: { truthy: true }, phase: 'main' }]);
      const nodes = [
        phased('choose', 'main', { value: immediate(1), branches, else: immediate('gone') }, 'flow.choose'),
        phased('g', 'main', { items: immediate([]), body: immediate('one') }, 'flow.gather'),
      ];
      const phases = [phase('main', ['choose', 'g']), phase('one', [], { role: 'body' }), phase('lonely', [], { role: 'body' })];
      expect(messages(validateGraph(pendingGraph(nodes, [], phases)))).toEqual([
        'node "choose" slot "else" names unknown phase "gone"',
        'node "choose" slot "branches[1].phase" names phase "main" whose role is "forward" (expected "body")',
        'body phase "lonely" is not used by any flow node (body, branches or else)',
      ]);
    });

    it('requires a proxy consumer to run inside its gather body, nested bodies included', () => {
      const nodes = [
        phased('outer', 'main', { items: immediate([]), body: immediate('outer.body') }, 'flow.gather'),
        phased('inner', 'outer.body', { items: proxy('outer'), body: immediate('inner.body') }, 'flow.gather'),
        phased('deep', 'inner.body', { a: proxy('outer'), b: proxy('inner') }),
        phased('stray', 'main', { a: proxy('outer', 'path') }),
      ];
      const phases = [
        phase('main', ['outer', 'stray']),
        phase('outer.body', ['inner'], { role: 'body' }),
        phase('inner.body', ['deep'], { role: 'body' }),
      ];
      expect(validateGraph(pendingGraph(nodes, [], phases)).map((p) => [p.kind, p.message])).toEqual([
        [
          'proxy-outside-body',
          'node "stray" slot "a" proxies gather "outer" but is not in its body phase "outer.body" (it is in "main")',
        ],
      ]);
    });

    it.each([
      [{ max_attempts: 0, backoff: 'none' }, 'max_attempts must be an integer ≥ 1 (got 0)'],
      [{ max_attempts: 1.5, backoff: 'none' }, 'max_attempts must be an integer ≥ 1 (got 1.5)'],
      [{ max_attempts: 2, backoff: 'fibonacci' }, 'backoff must be one of none, linear, exponential (got "fibonacci")'],
      [{ max_attempts: 2, backoff: 'linear', initial_delay: '5x' }, 'initial_delay is not a duration: "5x" (use e.g. 500ms, 2s, 1m30s)'],
      [{ max_attempts: 2, backoff: 'linear', max_delay: '1 s' }, 'max_delay is not a duration: "1 s" (use e.g. 500ms, 2s, 1m30s)'],
      [{ max_attempts: 2, backoff: 'linear', jitter: 1.5 }, 'jitter must be within [0, 1] (got 1.5)'],
      [{ max_attempts: 2, backoff: 'linear', jitter: -0.1 }, 'jitter must be within [0, 1] (got -0.1)'],
    ])('rejects the retry policy %o', (retry, message) => {
      const phases = [phase('p', [], { retry: retry as RetryPolicy })];
      expect(validateGraph(pendingGraph([], [], phases)).map((p) => [p.kind, p.message])).toEqual([
        ['invalid-retry', `phase "p" retry: ${message}`],
      ]);
    });

    it('accepts a sane retry policy', () => {
      const retry: RetryPolicy = { max_attempts: 3, backoff: 'exponential', initial_delay: '1s', max_delay: '1m', jitter: 0.2 };
      expect(validateGraph(pendingGraph([], [], [phase('p', [], { retry })]))).toEqual([]);
    });
  });

  it('validates 10,000 nodes quickly', () => {
    const nodes: Node[] = [];
    const edges: Edge[] = [];
    for (let i = 0; i < 10_000; i++) {
      const slots: Slots = i === 0 ? { path: immediate(`/t/${i}`), content: immediate('x') } : { path: immediate(`/t/${i}`), content: promise(`n${i - 1}`) };
      nodes.push(node(`n${i}`, slots, { action: 'file.write', phase: `p${i % 10}` }));
      if (i > 0) edges.push(data(`n${i - 1}`, `n${i}`));
      if (i > 2) edges.push(order(`n${i - 3}`, `n${i}`));
    }
    const phases = Array.from({ length: 10 }, (_, k) => phase(`p${k}`, nodes.filter((_, i) => i % 10 === k).map((n) => n.id)));
    const big = pendingGraph(nodes, edges, phases);
    expect(validateGraph(big, { catalog })).toEqual([]);
    // CPU time, best of 5: robust on a shared, loaded machine. The bound is loose (the target
    // is < 20 ms) but still catches any quadratic check, which would take seconds at 10k nodes.
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const start = process.cpuUsage();
      validateGraph(big, { catalog });
      const used = process.cpuUsage(start);
      times.push((used.user + used.system) / 1000);
    }
    expect(Math.min(...times)).toBeLessThan(100);
  });
});

describe('validateGraph on random graphs', () => {
  it('reports a cycle, with a real cycle path, exactly when an edge closes a loop', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
            fc.tuple(fc.nat(n - 1), fc.nat(n - 1)),
          ),
        ),
        ([n, pairs, [x, y]]) => {
          // Edges low → high form a DAG; adding high → low closes a loop when low reaches high.
          const ids = Array.from({ length: n }, (_, i) => `n${i}`);
          const edges = pairs.filter(([a, b]) => a < b).map(([a, b]) => order(`n${a}`, `n${b}`));
          const nodes = ids.map((id) => node(id));
          expect(validateGraph(pendingGraph(nodes, edges))).toEqual([]);
          const [low, high] = x < y ? [x, y] : [y, x];
          if (low === high) return;
          const closed = [...edges, order(`n${high}`, `n${low}`)];
          const cycles = validateGraph(pendingGraph(nodes, closed)).filter((p) => p.kind === 'cycle');
          const edgeSet = new Set(closed.map((e) => `${e.from}>${e.to}`));
          const reaches = (from: string, to: string): boolean => {
            const seen = new Set([from]);
            const stack = [from];
            for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
              if (at === to) return true;
              for (const e of edges) if (e.from === at && !seen.has(e.to)) (seen.add(e.to), stack.push(e.to));
            }
            return false;
          };
          expect(cycles.length).toBe(reaches(`n${low}`, `n${high}`) ? 1 : 0);
          for (const cycle of cycles) {
            const path = cycle.nodes;
            expect(new Set(path).size).toBe(path.length);
            path.forEach((from, i) => expect(edgeSet.has(`${from}>${path[(i + 1) % path.length]}`)).toBe(true));
          }
        },
      ),
    );
  });
});

describe('assertValidGraph', () => {
  it('returns quietly for a valid graph', () => {
    expect(() => assertValidGraph(pendingGraph([node('a')]))).not.toThrow();
  });

  it('throws one invalid-graph error starting with the count and listing every problem', () => {
    const bad = pendingGraph([node('a'), node('a'), node('b', { c: promise('a') })], [order('a', 'zz')]);
    try {
      assertValidGraph(bad, { path: 'plan.yaml' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WritLoreError);
      const failure = error as WritLoreError;
      expect(failure.code).toBe('invalid-graph');
      expect(failure.path).toBe('plan.yaml');
      expect(failure.message).toBe(
        [
          '3 problems in the graph:',
          '  - duplicate node id "a" (2 nodes)',
          '  - edge "a" → "zz" names unknown node "zz"',
          '  - node "b" slot "c" promises node "a" but there is no data edge "a" → "b"',
        ].join('\n'),
      );
    }
  });

  it('says "1 problem" for a single problem', () => {
    expect(() => assertValidGraph(pendingGraph([node('a')], [order('a', 'a')]))).toThrow(/^1 problem in the graph:\n {2}- edge/);
  });
});

describe('normalizeTargetPath', () => {
  it.each([
    ['/a//b/./c/../d/', '/a/b/d'],
    ['/', '/'],
    ['a/b/', 'a/b'],
    ['./a', 'a'],
  ])('normalises %s to %s', (input, output) => {
    expect(normalizeTargetPath(input)).toBe(output);
  });
});
