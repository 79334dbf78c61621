import type { ActionCatalog } from './catalog.js';
import { DependencyView, formatCycle } from './dependency-view.js';
import { WritLoreError } from './errors.js';
import type { Edge, Graph, Node } from './types.js';
import { indexGraph, type GraphIndex } from './validate-index.js';
import { checkPhases } from './validate-phases.js';
import { checkWrites } from './validate-writes.js';

export { normalizeTargetPath } from './validate-writes.js';

interface ProblemBase {
  /** One line saying what is wrong and where. */
  readonly message: string;
  /** The nodes involved (for a cycle: its nodes in edge order). */
  readonly nodes: readonly string[];
}

/** One thing wrong with a graph, found by {@link validateGraph}. */
export type GraphProblem =
  | (ProblemBase & { readonly kind: 'duplicate-node' })
  | (ProblemBase & { readonly kind: 'duplicate-phase'; readonly phase: string })
  | (ProblemBase & { readonly kind: 'dangling-edge' | 'self-edge'; readonly edge: Edge })
  | (ProblemBase & {
      readonly kind: 'unknown-producer' | 'self-promise' | 'missing-data-edge';
      readonly slot: string;
      readonly producer: string;
    })
  | (ProblemBase & {
      readonly kind: 'unknown-gather' | 'proxy-outside-body';
      readonly slot: string;
      readonly gather: string;
    })
  | (ProblemBase & { readonly kind: 'cycle' })
  | (ProblemBase & { readonly kind: 'duplicate-write'; readonly path: string })
  | (ProblemBase & { readonly kind: 'unknown-action'; readonly action: string })
  | (ProblemBase & {
      readonly kind: 'missing-slot';
      readonly action: string;
      readonly slots: readonly string[];
    })
  | (ProblemBase & {
      readonly kind:
        | 'node-without-phase'
        | 'node-in-several-phases'
        | 'phase-mismatch'
        | 'phase-unknown-node'
        | 'invalid-compensate'
        | 'unused-body-phase'
        | 'invalid-phase-ref'
        | 'invalid-retry';
      readonly phase?: string;
    });

/** The kinds of {@link GraphProblem}. */
export type GraphProblemKind = GraphProblem['kind'];

/** Options of {@link validateGraph}. */
export interface ValidateOptions {
  /** Action specs: enables unknown-action, missing-slot and same-target checks. */
  readonly catalog?: ActionCatalog;
  /** Slot names the executor fills from run data; never reported missing. Default: none. */
  readonly provided?: readonly string[];
  /** The file the graph came from, for the error of {@link assertValidGraph}. */
  readonly path?: string;
}

/** Ids that occur more than once, with their counts, in first-occurrence order. */
function repeated(ids: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1);
}

function checkDuplicates(index: GraphIndex): GraphProblem[] {
  const { graph } = index;
  // The index keeps one entry per id, so equal sizes mean no repeats (the common case).
  const phaseCount = graph.phases?.length ?? 0;
  if (index.nodes.size === graph.nodes.length && index.phases.size === phaseCount) return [];
  const nodes = repeated(graph.nodes.map((node) => node.id)).map(
    ([id, count]): GraphProblem => ({
      kind: 'duplicate-node',
      message: `duplicate node id "${id}" (${count} nodes)`,
      nodes: [id],
    }),
  );
  const phases = repeated((graph.phases ?? []).map((phase) => phase.id)).map(
    ([id, count]): GraphProblem => ({
      kind: 'duplicate-phase',
      message: `duplicate phase id "${id}" (${count} phases)`,
      nodes: [],
      phase: id,
    }),
  );
  return [...nodes, ...phases];
}

function checkEdges({ graph, nodes }: GraphIndex): GraphProblem[] {
  const problems: GraphProblem[] = [];
  for (const edge of graph.edges) {
    if (edge.from !== edge.to && nodes.has(edge.from) && nodes.has(edge.to)) continue;
    const where = `edge "${edge.from}" → "${edge.to}"`;
    const ends = edge.from === edge.to ? [edge.from] : [edge.from, edge.to];
    const unknown = ends.filter((id) => !nodes.has(id));
    if (unknown.length > 0) {
      const names = unknown.map((id) => `"${id}"`).join(' and ');
      const message = `${where} names unknown node${unknown.length > 1 ? 's' : ''} ${names}`;
      problems.push({ kind: 'dangling-edge', message, nodes: [edge.from, edge.to], edge });
    } else if (edge.from === edge.to) {
      const message = `${where} is a self-edge (a node cannot wait for itself)`;
      problems.push({ kind: 'self-edge', message, nodes: [edge.from], edge });
    }
  }
  return problems;
}

/** For each consumer, the producers of its `data` edges. */
function dataProducers(edges: readonly Edge[]): Map<string, string[]> {
  const producers = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.kind !== 'data') continue;
    const list = producers.get(edge.to);
    if (list === undefined) producers.set(edge.to, [edge.from]);
    else list.push(edge.from);
  }
  return producers;
}

function promiseProblem(
  { graph, nodes }: GraphIndex,
  producers: ReadonlyMap<string, readonly string[]>,
  node: Node,
  slot: string,
  producer: string,
): GraphProblem | undefined {
  const known = nodes.has(producer);
  if (known && producer !== node.id && producers.get(node.id)?.includes(producer) === true) {
    return undefined;
  }
  const where = `node "${node.id}" slot "${slot}"`;
  const base = { nodes: [node.id, producer], slot, producer } as const;
  if (!known) {
    const message = `${where} promises the result of unknown node "${producer}"`;
    return { ...base, kind: 'unknown-producer', message, nodes: [node.id] };
  }
  if (producer === node.id) {
    return { ...base, kind: 'self-promise', message: `${where} promises its own result` };
  }
  // Only on this (rare) error path: look for an order edge to make the message actionable.
  const hasOrder = graph.edges.some((edge) => edge.from === producer && edge.to === node.id);
  const hint = hasOrder ? ' (there is an order edge: make it kind data)' : '';
  const message =
    `${where} promises node "${producer}" but there is no data edge ` +
    `"${producer}" → "${node.id}"${hint}`;
  return { ...base, kind: 'missing-data-edge', message };
}

function checkSlotReferences(index: GraphIndex): GraphProblem[] {
  const producers = dataProducers(index.graph.edges);
  const problems: GraphProblem[] = [];
  for (const node of index.nodes.values()) {
    for (const slot in node.slots) {
      const value = node.slots[slot];
      if (value?.kind === 'promise') {
        const problem = promiseProblem(index, producers, node, slot, value.node);
        if (problem !== undefined) problems.push(problem);
      } else if (value?.kind === 'proxy' && !index.nodes.has(value.gather)) {
        const { gather } = value;
        const message = `node "${node.id}" slot "${slot}" proxies unknown gather node "${gather}"`;
        problems.push({ kind: 'unknown-gather', message, nodes: [node.id], slot, gather });
      }
    }
  }
  return problems;
}

function checkCycle({ graph }: GraphIndex): GraphProblem[] {
  // Self-edges are reported on their own; leave them out so they are not reported twice.
  const edges = graph.edges.filter((edge) => edge.from !== edge.to);
  if (edges.length === 0) return [];
  // Only nodes an edge touches can be on a cycle; keeping their order finds the same cycle.
  const touched = new Set<string>();
  for (const edge of edges) touched.add(edge.from).add(edge.to);
  const nodes = touched.size === graph.nodes.length ? graph.nodes : graph.nodes.filter((node) => touched.has(node.id));
  const cycle = new DependencyView({ nodes, edges }).findCycle();
  if (cycle === undefined) return [];
  return [{ kind: 'cycle', message: `cycle: ${formatCycle(cycle)}`, nodes: cycle }];
}

function checkActions({ nodes }: GraphIndex, options: ValidateOptions): GraphProblem[] {
  const { catalog } = options;
  if (catalog === undefined) return [];
  const provided = new Set(options.provided ?? []);
  const problems: GraphProblem[] = [];
  for (const node of nodes.values()) {
    const spec = catalog.spec(node.action);
    if (spec === undefined) {
      const message = `node "${node.id}" uses unknown action "${node.action}"`;
      problems.push({ kind: 'unknown-action', message, nodes: [node.id], action: node.action });
      continue;
    }
    let missing: string[] | undefined; // made only for a node missing something
    for (const name of spec.required) {
      if (!Object.hasOwn(node.slots, name) && !provided.has(name)) (missing ??= []).push(name);
    }
    if (missing === undefined) continue;
    const quoted = missing.map((name) => `"${name}"`).join(', ');
    const names = `slot${missing.length > 1 ? 's' : ''} ${quoted}`;
    const message = `node "${node.id}" (${node.action}) is missing required ${names}`;
    const { action } = node;
    problems.push({ kind: 'missing-slot', message, nodes: [node.id], action, slots: missing });
  }
  return problems;
}

/**
 * Every problem of a graph, in a stable order: duplicates, edges, slot references, cycles,
 * actions and slots (with a catalog), same-target writes (with a catalog), then phases, flow
 * references and retry policies. An empty list means the graph is valid.
 */
export function validateGraph(graph: Graph, options: ValidateOptions = {}): readonly GraphProblem[] {
  const index = indexGraph(graph);
  return [
    ...checkDuplicates(index),
    ...checkEdges(index),
    ...checkSlotReferences(index),
    ...checkCycle(index),
    ...checkActions(index, options),
    ...checkWrites(index, options),
    ...checkPhases(index),
  ];
}

/** Renders problems as the one message of an `invalid-graph` error: the count, then one per line. */
export function formatProblems(problems: readonly GraphProblem[]): string {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'} in the graph`;
  return [`${count}:`, ...problems.map((problem) => `  - ${problem.message}`)].join('\n');
}

/** Throws one `invalid-graph` error listing every problem of `graph`; returns when it is valid. */
export function assertValidGraph(graph: Graph, options: ValidateOptions = {}): void {
  const problems = validateGraph(graph, options);
  if (problems.length === 0) return;
  throw new WritLoreError('invalid-graph', formatProblems(problems), {
    ...(options.path === undefined ? {} : { path: options.path }),
    hint: 'fix the plan (or the builder that made it) and build it again',
  });
}
