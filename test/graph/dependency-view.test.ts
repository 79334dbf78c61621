import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCycle as graphologyHasCycle } from 'graphology-dag';
import { DependencyView, formatCycle } from '../../src/graph/index.js';
import type { DependencyInput } from '../../src/graph/index.js';
import { thrown } from '../helpers/thrown.js';

/** `view('d b a c', 'a>b a>c')`: nodes in order, edges as from>to. */
function input(nodes: string, edges = ''): DependencyInput {
  return {
    nodes: nodes.split(' ').filter(Boolean).map((id) => ({ id })),
    edges: edges
      .split(' ')
      .filter(Boolean)
      .map((pair) => {
        const [from = '', to = ''] = pair.split('>');
        return { from, to };
      }),
  };
}
const view = (nodes: string, edges = ''): DependencyView => new DependencyView(input(nodes, edges));

const diamond = 'a>b a>c b>d c>d';

describe('DependencyView', () => {
  it('answers emptily for an empty graph', () => {
    const empty = view('');
    expect(empty.size).toBe(0);
    expect([empty.roots(), empty.leaves(), empty.topologicalOrder(), empty.parallelLevels()]).toEqual([[], [], [], []]);
    expect([empty.independentSets(), empty.criticalPath(), empty.hasCycle(), empty.findCycle()]).toEqual([[], [], false, undefined]);
  });

  it('treats a single node as root, leaf, order, level, set and critical path', () => {
    const single = view('a');
    expect(single.roots()).toEqual(['a']);
    expect(single.leaves()).toEqual(['a']);
    expect(single.topologicalOrder()).toEqual(['a']);
    expect(single.parallelLevels()).toEqual([['a']]);
    expect(single.independentSets()).toEqual([['a']]);
    expect(single.criticalPath()).toEqual(['a']);
    expect(single.pathBetween('a', 'a')).toEqual(['a']);
    expect(single.hasCycle()).toBe(false);
  });

  it('follows a chain whatever order its nodes are listed in', () => {
    const chain = view('c b a', 'a>b b>c');
    expect(chain.topologicalOrder()).toEqual(['a', 'b', 'c']);
    expect(chain.roots()).toEqual(['a']);
    expect(chain.leaves()).toEqual(['c']);
    expect(chain.dependsOn('b')).toEqual(['a']);
    expect(chain.dependents('b')).toEqual(['c']);
    expect(chain.allDependencies('c')).toEqual(['b', 'a']);
    expect(chain.allDependents('a')).toEqual(['c', 'b']);
    expect(chain.parallelLevels()).toEqual([['a'], ['b'], ['c']]);
    expect(chain.criticalPath()).toEqual(['a', 'b', 'c']);
  });

  it('analyses a diamond', () => {
    const d = view('a b c d', diamond);
    expect(d.roots()).toEqual(['a']);
    expect(d.leaves()).toEqual(['d']);
    expect(d.dependsOn('d')).toEqual(['b', 'c']);
    expect(d.dependents('a')).toEqual(['b', 'c']);
    expect(d.allDependencies('d')).toEqual(['a', 'b', 'c']);
    expect(d.allDependents('a')).toEqual(['b', 'c', 'd']);
    expect(d.allDependencies('a')).toEqual([]);
    expect(d.topologicalOrder()).toEqual(['a', 'b', 'c', 'd']);
    expect(d.parallelLevels()).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(d.criticalPath()).toEqual(['a', 'b', 'd']);
  });

  describe('topologicalOrder', () => {
    it('keeps node order when there are no edges', () => {
      expect(view('d b a c').topologicalOrder()).toEqual(['d', 'b', 'a', 'c']);
    });

    it('respects edges and otherwise takes the ready node earliest in node order', () => {
      // c must wait for a; d and b are free, so they keep their places ahead of it.
      expect(view('d c b a', 'a>c').topologicalOrder()).toEqual(['d', 'b', 'a', 'c']);
      expect(view('a b c d', 'a>d a>c').topologicalOrder()).toEqual(['a', 'b', 'c', 'd']);
      expect(view('a b c d', 'a>c a>d').topologicalOrder()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('gives the same answer on every run and for every edge order, repeats included', () => {
      const nodes = 'e d c b a f';
      const edges = ['a>b', 'c>b', 'd>a', 'e>f', 'c>f', 'b>f'];
      const expected = view(nodes, edges.join(' ')).topologicalOrder();
      expect(expected).toEqual(['e', 'd', 'c', 'a', 'b', 'f']);
      let seed = 7;
      const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
      for (let run = 0; run < 100; run++) {
        const shuffled = [...edges, ...edges.slice(0, run % 3)].sort(() => random() - 0.5);
        expect(view(nodes, shuffled.join(' ')).topologicalOrder()).toEqual(expected);
      }
    });

    it('throws invalid-graph naming a cycle', () => {
      const cyclic = view('x a b c', 'x>a a>b b>c c>a');
      expect(cyclic.hasCycle()).toBe(true);
      expect(cyclic.findCycle()).toEqual(['a', 'b', 'c']);
      const error = thrown(() => cyclic.topologicalOrder());
      expect(error.code).toBe('invalid-graph');
      expect(error.message).toBe('cycle: a → b → c → a');
      expect(thrown(() => cyclic.parallelLevels()).message).toBe('cycle: a → b → c → a');
      expect(thrown(() => cyclic.criticalPath()).code).toBe('invalid-graph');
    });
  });

  it('finds a self-edge as a one-node cycle', () => {
    const loop = view('a b', 'a>b b>b');
    expect(loop.hasCycle()).toBe(true);
    expect(loop.findCycle()).toEqual(['b']);
    expect(formatCycle(['b'])).toBe('b → b');
  });

  it('computes parallel levels as Kahn layers in node order', () => {
    const levels = view('a b c d e f', 'a>b a>c b>d c>d e>f').parallelLevels();
    expect(levels).toEqual([['a', 'e'], ['b', 'c', 'f'], ['d']]);
    expect(view('f e d c b a', 'a>b a>c b>d c>d e>f').parallelLevels()).toEqual([['e', 'a'], ['f', 'c', 'b'], ['d']]);
  });

  it('places a node in the layer after its deepest dependency', () => {
    expect(view('a b c', 'a>b b>c a>c').parallelLevels()).toEqual([['a'], ['b'], ['c']]);
  });

  it('finds the longest path, earliest in node order on ties', () => {
    expect(view('a b c d e f', 'a>b a>c b>d c>d e>f').criticalPath()).toEqual(['a', 'b', 'd']);
    expect(view('a c b d e f', 'a>b a>c b>d c>d e>f').criticalPath()).toEqual(['a', 'c', 'd']);
    expect(view('x y a b c', 'x>y a>b b>c').criticalPath()).toEqual(['a', 'b', 'c']);
    expect(view('p q').criticalPath()).toEqual(['p']);
  });

  it('splits weakly connected components, each in node order', () => {
    expect(view('a b c d e f g', 'a>b a>c b>d c>d e>f').independentSets()).toEqual([['a', 'b', 'c', 'd'], ['e', 'f'], ['g']]);
    expect(view('d e a b', 'a>d b>e').independentSets()).toEqual([['d', 'a'], ['e', 'b']]);
  });

  it('finds the shortest path between two nodes, itself, or none', () => {
    const v = view('a b c d e', 'a>b b>c c>d a>d e>a');
    expect(v.pathBetween('a', 'd')).toEqual(['a', 'd']);
    expect(v.pathBetween('e', 'c')).toEqual(['e', 'a', 'b', 'c']);
    expect(v.pathBetween('c', 'c')).toEqual(['c']);
    expect(v.pathBetween('d', 'a')).toBeUndefined();
    expect(v.pathBetween('b', 'e')).toBeUndefined();
  });

  it('builds an induced subgraph in node order', () => {
    const sub = view('a b c d', diamond).subgraph(['d', 'b', 'a']);
    expect(sub.nodes()).toEqual(['a', 'b', 'd']);
    expect(sub.topologicalOrder()).toEqual(['a', 'b', 'd']);
    expect(sub.dependsOn('d')).toEqual(['b']);
    expect(sub.has('c')).toBe(false);
    expect(sub.subgraph(['a', 'd']).leaves()).toEqual(['a', 'd']);
  });

  it('restricts to a subset of nodes, ignoring edges that leave it (phase-local order)', () => {
    const phase = new DependencyView(input('a b c d', 'd>a a>c c>b'), { only: ['b', 'c'] });
    expect(phase.nodes()).toEqual(['b', 'c']);
    expect(phase.topologicalOrder()).toEqual(['c', 'b']);
    expect(phase.roots()).toEqual(['c']);
  });

  it('ignores edges naming unknown nodes and repeated node ids', () => {
    const v = new DependencyView({
      nodes: [{ id: 'a' }, { id: 'b' }, { id: 'a' }],
      edges: [{ from: 'a', to: 'ghost' }, { from: 'b', to: 'a' }, { from: 'b', to: 'a' }],
    });
    expect(v.nodes()).toEqual(['a', 'b']);
    expect(v.dependsOn('a')).toEqual(['b']);
    expect(v.topologicalOrder()).toEqual(['b', 'a']);
  });

  it.each([
    ['dependsOn', (v: DependencyView) => v.dependsOn('zz')],
    ['allDependents', (v: DependencyView) => v.allDependents('zz')],
    ['pathBetween', (v: DependencyView) => v.pathBetween('a', 'zz')],
    ['subgraph', (v: DependencyView) => v.subgraph(['a', 'zz'])],
    ['only', () => new DependencyView(input('a'), { only: ['zz'] })],
  ])('rejects an unknown node id in %s', (_name, call) => {
    const error = thrown(() => call(view('a b', 'a>b')));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('unknown node "zz" (not in this dependency view)');
  });

  it('keeps node order for ids that look like numbers', () => {
    const v = view('r b 10 2', 'r>2 r>b r>10');
    expect(v.dependents('r')).toEqual(['b', '10', '2']);
    expect(v.topologicalOrder()).toEqual(['r', 'b', '10', '2']);
    expect(v.parallelLevels()).toEqual([['r'], ['b', '10', '2']]);
  });

  it('exports an independent graphology copy', () => {
    const v = view('a b c', 'a>b b>c');
    const copy = v.toGraphology();
    expect(copy.nodes()).toEqual(['a', 'b', 'c']);
    expect(copy.size).toBe(2);
    copy.addEdge('c', 'a');
    expect(v.hasCycle()).toBe(false);
    expect(v.toGraphology().size).toBe(2);
  });

  it('tells whether a new edge would close a cycle', () => {
    const v = view('a b c', 'a>b b>c');
    expect(v.wouldCreateCycle('c', 'a')).toBe(true);
    expect(v.wouldCreateCycle('a', 'c')).toBe(false);
    expect(v.wouldCreateCycle('b', 'b')).toBe(true);
  });
});

/** A random DAG: node order is a random permutation; edges go from lower to higher hidden rank. */
const randomDag = fc
  .integer({ min: 1, max: 14 })
  .chain((n) =>
    fc.record({
      order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 40 }),
    }),
  )
  .map(({ order, pairs }) => {
    const nodes = order.map((rank) => ({ id: `n${rank}` }));
    const edges = pairs.filter(([a, b]) => a < b).map(([a, b]) => ({ from: `n${a}`, to: `n${b}` }));
    return { nodes, edges };
  });

function respectsEdges(order: readonly string[], edges: DependencyInput['edges']): boolean {
  const position = new Map(order.map((id, i) => [id, i]));
  return edges.every((e) => (position.get(e.from) ?? -1) < (position.get(e.to) ?? -1));
}

/** Longest chain (node count) by brute-force memoised search. */
function longestChain(graph: DependencyInput): number {
  const memo = new Map<string, number>();
  const longest = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const next = graph.edges.filter((e) => e.from === id).map((e) => longest(e.to));
    const value = 1 + Math.max(0, ...next);
    memo.set(id, value);
    return value;
  };
  return Math.max(0, ...graph.nodes.map((n) => longest(n.id)));
}

describe('DependencyView on random DAGs', () => {
  it('orders every node once, after all its dependencies, earliest ready node first', () => {
    fc.assert(
      fc.property(randomDag, (graph) => {
        const order = new DependencyView(graph).topologicalOrder();
        expect([...order].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
        expect(respectsEdges(order, graph.edges)).toBe(true);
        // Greedy check: each pick is the first node (in node order) whose dependencies are done.
        const done = new Set<string>();
        for (const id of order) {
          const ready = graph.nodes.find(
            (n) => !done.has(n.id) && graph.edges.every((e) => e.to !== n.id || done.has(e.from)),
          );
          expect(id).toBe(ready?.id);
          done.add(id);
        }
      }),
    );
  });

  it('does not depend on edge order or repeated edges', () => {
    const shuffledEdges = randomDag.chain((graph) =>
      fc.tuple(
        fc.constant(graph),
        fc.shuffledSubarray([...graph.edges], { minLength: graph.edges.length }),
        fc.nat(3),
      ),
    );
    fc.assert(
      fc.property(shuffledEdges, ([graph, shuffled, repeats]) => {
        const base = new DependencyView(graph);
        const other = new DependencyView({ nodes: graph.nodes, edges: [...shuffled, ...shuffled.slice(0, repeats)] });
        expect(other.topologicalOrder()).toEqual(base.topologicalOrder());
        expect(other.parallelLevels()).toEqual(base.parallelLevels());
        expect(other.criticalPath()).toEqual(base.criticalPath());
        expect(other.independentSets()).toEqual(base.independentSets());
      }),
    );
  });

  it('flattens parallel levels into a valid order, each level after its dependencies', () => {
    fc.assert(
      fc.property(randomDag, (graph) => {
        const v = new DependencyView(graph);
        const levels = v.parallelLevels();
        expect(respectsEdges(levels.flat(), graph.edges)).toBe(true);
        const levelOf = new Map(levels.flatMap((level, k) => level.map((id) => [id, k] as const)));
        for (const { id } of graph.nodes) {
          const deps = v.dependsOn(id).map((dep) => levelOf.get(dep) ?? -99);
          expect(levelOf.get(id)).toBe(deps.length === 0 ? 0 : Math.max(...deps) + 1);
        }
      }),
    );
  });

  it('finds a critical path that is a real chain of maximal length', () => {
    fc.assert(
      fc.property(randomDag, (graph) => {
        const path = new DependencyView(graph).criticalPath();
        expect(path.length).toBe(longestChain(graph));
        const edgeSet = new Set(graph.edges.map((e) => `${e.from}>${e.to}`));
        path.slice(1).forEach((id, i) => expect(edgeSet.has(`${path[i]}>${id}`)).toBe(true));
      }),
    );
  });

  it('agrees between allDependencies, pathBetween and independentSets', () => {
    fc.assert(
      fc.property(randomDag, (graph) => {
        const v = new DependencyView(graph);
        const sets = v.independentSets();
        expect(sets.flat().sort()).toEqual(graph.nodes.map((n) => n.id).sort());
        const setOf = new Map(sets.flatMap((set, k) => set.map((id) => [id, k] as const)));
        for (const { id: a } of graph.nodes) {
          const deps = new Set(v.allDependencies(a));
          for (const { id: b } of graph.nodes) {
            const path = v.pathBetween(b, a);
            expect(deps.has(b)).toBe(a !== b && path !== undefined);
            if (path !== undefined) expect(setOf.get(a)).toBe(setOf.get(b));
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('agrees with graphology-dag about cycles on arbitrary directed graphs', () => {
    const digraph = fc.integer({ min: 1, max: 10 }).chain((n) =>
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 25 }).map((pairs) => ({
        nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}` })),
        edges: pairs.map(([a, b]) => ({ from: `n${a}`, to: `n${b}` })),
      })),
    );
    fc.assert(
      fc.property(digraph, (graph) => {
        const v = new DependencyView(graph);
        const expected = graphologyHasCycle(v.toGraphology());
        expect(v.hasCycle()).toBe(expected);
        expect(v.findCycle() !== undefined).toBe(expected);
        if (!expected) expect(respectsEdges(v.topologicalOrder(), graph.edges)).toBe(true);
      }),
    );
  });

  it('reports a cycle with a correct path once an edge closes a loop', () => {
    fc.assert(
      fc.property(randomDag, fc.nat(), fc.nat(), (graph, x, y) => {
        const ids = graph.nodes.map((n) => n.id);
        const from = ids[x % ids.length] ?? '';
        const to = ids[y % ids.length] ?? '';
        const before = new DependencyView(graph);
        expect(before.hasCycle()).toBe(false);
        expect(before.findCycle()).toBeUndefined();
        const closes = before.pathBetween(to, from) !== undefined;
        expect(before.wouldCreateCycle(from, to)).toBe(closes);
        const edges = [...graph.edges, { from, to }];
        const after = new DependencyView({ nodes: graph.nodes, edges });
        expect(after.hasCycle()).toBe(closes);
        const cycle = after.findCycle();
        expect(cycle !== undefined).toBe(closes);
        if (cycle === undefined) return;
        expect(new Set(cycle).size).toBe(cycle.length);
        const edgeSet = new Set(edges.map((e) => `${e.from}>${e.to}`));
        cycle.forEach((id, i) => expect(edgeSet.has(`${id}>${cycle[(i + 1) % cycle.length]}`)).toBe(true));
        expect(thrown(() => after.topologicalOrder()).message).toBe(`cycle: ${formatCycle(cycle)}`);
      }),
    );
  });
});
