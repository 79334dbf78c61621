import { DirectedGraph } from 'graphology';
import { willCreateCycle } from 'graphology-dag';
import { WritLoreError } from './errors.js';
import { byNumber, findCycleIn, invert, kahnOrder, reach, sortUnique } from './adjacency.js';

/** What a {@link DependencyView} reads: node ids in order and `from → to` edges (a Graph fits). */
export interface DependencyInput {
  readonly nodes: readonly { readonly id: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/** Options of {@link DependencyView}. */
export interface DependencyViewOptions {
  /**
   * Restrict the view to these node ids (e.g. one phase's nodes): other nodes and every edge
   * with an endpoint outside the subset are ignored. Default: every node.
   */
  readonly only?: Iterable<string>;
}

/** Renders a cycle as `a → b → c → a`. */
export function formatCycle(cycle: readonly string[]): string {
  return [...cycle, cycle[0] ?? ''].join(' → ');
}

/**
 * Read-only dependency analysis of a graph's nodes and edges (`from` must finish before `to`).
 *
 * Determinism: every answer depends only on the order of the nodes and on the *set* of edges —
 * never on the order or repetition of edges. Lists of nodes come in node order; when several
 * answers are valid the one earliest in node order wins (e.g. {@link topologicalOrder} is the
 * lexicographically smallest topological order by node position). Edges naming unknown nodes
 * are ignored (validation reports them); for a repeated node id the first occurrence counts.
 *
 * Adjacency is kept as position arrays sorted by node position: graphology's neighbour order
 * follows JavaScript object-key order (ids such as "10" come before "2"), and building a
 * graphology graph of 10k nodes costs ~30× more than this view. A graphology copy is built only
 * on demand ({@link DependencyView.wouldCreateCycle}, {@link DependencyView.toGraphology}).
 *
 * @example
 * const view = new DependencyView(graph, { only: phase.nodes });
 * for (const id of view.topologicalOrder()) run(id);
 */
export class DependencyView {
  readonly #ids: readonly string[];
  readonly #index: ReadonlyMap<string, number>;
  /** Successors / predecessors by node position, deduplicated and sorted by position. */
  readonly #out: readonly (readonly number[])[];
  #inCache: readonly (readonly number[])[] | undefined;
  #graphology: DirectedGraph | undefined;

  constructor(graph: DependencyInput, options: DependencyViewOptions = {}) {
    const wanted = options.only === undefined ? undefined : new Set(options.only);
    const ids: string[] = [];
    const index = new Map<string, number>();
    for (const { id } of graph.nodes) {
      if (index.has(id) || (wanted !== undefined && !wanted.has(id))) continue;
      index.set(id, ids.length);
      ids.push(id);
    }
    for (const id of wanted ?? []) if (!index.has(id)) throw unknownNode(id);
    const out: number[][] = ids.map(() => []);
    for (const edge of graph.edges) {
      const from = index.get(edge.from);
      const to = index.get(edge.to);
      if (from !== undefined && to !== undefined) out[from]?.push(to);
    }
    this.#ids = ids;
    this.#index = index;
    this.#out = out.map(sortUnique);
  }

  /** Predecessors by position, sorted; derived on first use (validation never needs them). */
  get #in(): readonly (readonly number[])[] {
    this.#inCache ??= invert(this.#out);
    return this.#inCache;
  }

  /** The number of nodes in the view. */
  get size(): number {
    return this.#ids.length;
  }

  /** Node ids in node order. */
  nodes(): string[] {
    return [...this.#ids];
  }

  /** Whether the view contains node `id`. */
  has(id: string): boolean {
    return this.#index.has(id);
  }

  /** Nodes with no dependency, in node order. */
  roots(): string[] {
    return this.#ids.filter((_, i) => this.#in[i]?.length === 0);
  }

  /** Nodes nothing depends on, in node order. */
  leaves(): string[] {
    return this.#ids.filter((_, i) => this.#out[i]?.length === 0);
  }

  /** The direct dependencies (predecessors) of `id`, in node order. */
  dependsOn(id: string): string[] {
    return this.#names(this.#in[this.#position(id)] ?? []);
  }

  /** The direct dependents (successors) of `id`, in node order. */
  dependents(id: string): string[] {
    return this.#names(this.#out[this.#position(id)] ?? []);
  }

  /** Every node `id` depends on, directly or not, in node order (`id` itself only on a cycle). */
  allDependencies(id: string): string[] {
    return this.#names(reach(this.#in, this.#position(id)));
  }

  /** Every node that depends on `id`, directly or not, in node order. */
  allDependents(id: string): string[] {
    return this.#names(reach(this.#out, this.#position(id)));
  }

  /**
   * All nodes, each after its dependencies; among the nodes ready at each step the one earliest
   * in node order goes first (so a graph without edges keeps node order). Throws
   * `invalid-graph` naming a cycle when there is one.
   */
  topologicalOrder(): string[] {
    return this.#names(this.#topologicalPositions());
  }

  /**
   * Kahn layers: layer k holds the nodes whose longest chain of dependencies has k nodes; every
   * node of a layer can run in parallel once earlier layers are done. Each layer in node order.
   */
  parallelLevels(): string[][] {
    const level = new Array<number>(this.#ids.length).fill(0);
    for (const at of this.#topologicalPositions()) {
      const next = (level[at] ?? 0) + 1;
      for (const succ of this.#out[at] ?? []) level[succ] = Math.max(level[succ] ?? 0, next);
    }
    const levels: number[][] = [];
    // Positions visited in node order, so each layer comes out in node order.
    level.forEach((k, at) => (levels[k] ??= []).push(at));
    return levels.map((members) => this.#names(members));
  }

  /** Weakly connected components, each in node order, ordered by their first node. */
  independentSets(): string[][] {
    const component = new Array<number>(this.#ids.length).fill(-1);
    const sets: number[][] = [];
    for (let start = 0; start < this.#ids.length; start++) {
      if (component[start] !== -1) continue;
      const members = [start];
      component[start] = sets.length;
      for (let k = 0; k < members.length; k++) {
        const at = members[k] ?? 0;
        for (const next of [...(this.#out[at] ?? []), ...(this.#in[at] ?? [])]) {
          if (component[next] !== -1) continue;
          component[next] = sets.length;
          members.push(next);
        }
      }
      sets.push(members.sort(byNumber));
    }
    return sets.map((members) => this.#names(members));
  }

  /**
   * A longest dependency chain by node count; among equally long chains, the one earliest in
   * node order (compared node by node). `[]` for an empty view; throws `invalid-graph` on a cycle.
   */
  criticalPath(): string[] {
    const order = this.#topologicalPositions();
    const length = new Array<number>(this.#ids.length).fill(1);
    const next = new Array<number>(this.#ids.length).fill(-1);
    for (const at of order.reverse()) {
      for (const succ of this.#out[at] ?? []) {
        // Successors are sorted by position, so a strict `>` keeps the earliest on ties.
        if ((length[succ] ?? 0) + 1 > (length[at] ?? 0)) {
          length[at] = (length[succ] ?? 0) + 1;
          next[at] = succ;
        }
      }
    }
    let start = -1;
    length.forEach((value, i) => {
      if (start === -1 || value > (length[start] ?? 0)) start = i;
    });
    const path: number[] = [];
    for (let at = start; at !== -1; at = next[at] ?? -1) path.push(at);
    return this.#names(path);
  }

  /** A shortest dependency chain from `from` to `to` (BFS), `[from]` when equal, else undefined. */
  pathBetween(from: string, to: string): string[] | undefined {
    const source = this.#position(from);
    const target = this.#position(to);
    const parent = new Map<number, number>([[source, -1]]);
    const queue = [source];
    for (let k = 0; k < queue.length && !parent.has(target); k++) {
      const at = queue[k] ?? 0;
      for (const succ of this.#out[at] ?? []) {
        if (parent.has(succ)) continue;
        parent.set(succ, at);
        queue.push(succ);
      }
    }
    if (!parent.has(target)) return undefined;
    const path: number[] = [];
    for (let at = target; at !== -1; at = parent.get(at) ?? -1) path.push(at);
    return this.#names(path.reverse());
  }

  /** The view induced by `ids` (which must be in this view): those nodes and the edges among them. */
  subgraph(ids: Iterable<string>): DependencyView {
    const edges = this.#out.flatMap((succs, from) =>
      succs.map((to) => ({ from: this.#ids[from] ?? '', to: this.#ids[to] ?? '' })),
    );
    return new DependencyView({ nodes: this.#ids.map((id) => ({ id })), edges }, { only: ids });
  }

  /** Whether some chain of dependencies loops back on itself (self-edges included). */
  hasCycle(): boolean {
    return findCycleIn(this.#out) !== undefined;
  }

  /** Whether adding the edge `from → to` would close a cycle. */
  wouldCreateCycle(from: string, to: string): boolean {
    this.#position(from);
    this.#position(to);
    return willCreateCycle(this.#toGraphology(), from, to);
  }

  /**
   * The nodes of one cycle in edge order (`[a, b, c]` for a → b → c → a; `[a]` for a
   * self-edge), or undefined when the view is acyclic. Deterministic: the first cycle a
   * depth-first search finds, starting from nodes and following edges in node order.
   */
  findCycle(): string[] | undefined {
    const cycle = findCycleIn(this.#out);
    return cycle === undefined ? undefined : this.#names(cycle);
  }

  /** Positions in topological order (see {@link topologicalOrder}); throws on a cycle. */
  #topologicalPositions(): number[] {
    const order = kahnOrder(this.#out, this.#in);
    if (order.length < this.#ids.length) this.#throwCycle();
    return order;
  }

  #names(positions: readonly number[]): string[] {
    return positions.map((i) => this.#ids[i] ?? '');
  }

  #position(id: string): number {
    const position = this.#index.get(id);
    if (position === undefined) throw unknownNode(id);
    return position;
  }

  #throwCycle(): never {
    const cycle = this.findCycle() ?? [];
    throw new WritLoreError('invalid-graph', `cycle: ${formatCycle(cycle)}`, {
      hint: 'remove one of the edges of the cycle',
    });
  }

  /**
   * The view as a graphology `DirectedGraph` (a new copy each call), for graphology's other
   * algorithms. Built on demand: for 10k nodes it costs far more than the view itself.
   */
  toGraphology(): DirectedGraph {
    return this.#toGraphology().copy();
  }

  #toGraphology(): DirectedGraph {
    if (this.#graphology !== undefined) return this.#graphology;
    const graph = new DirectedGraph();
    for (const id of this.#ids) graph.addNode(id);
    this.#out.forEach((succs, from) => {
      for (const to of succs) graph.addEdge(this.#ids[from], this.#ids[to]);
    });
    this.#graphology = graph;
    return graph;
  }
}

function unknownNode(id: string): WritLoreError {
  return new WritLoreError('invalid-input', `unknown node "${id}" (not in this dependency view)`);
}
