import type { Graph, Node, Phase } from './types.js';

/** Lookups shared by the checks, built once (first occurrence of a repeated id wins). */
export interface GraphIndex {
  readonly graph: Graph;
  readonly nodes: ReadonlyMap<string, Node>;
  readonly phases: ReadonlyMap<string, Phase>;
  /** For each node id, the ids of the phases listing it (in phase order, repeats kept). */
  readonly listedIn: ReadonlyMap<string, readonly string[]>;
}

/** Builds the {@link GraphIndex} of a graph in one pass over nodes and phases. */
export function indexGraph(graph: Graph): GraphIndex {
  const nodes = new Map<string, Node>();
  for (const node of graph.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);
  const phases = new Map<string, Phase>();
  const listedIn = new Map<string, string[]>();
  for (const phase of graph.phases ?? []) {
    if (!phases.has(phase.id)) phases.set(phase.id, phase);
    for (const id of phase.nodes) {
      const listed = listedIn.get(id);
      if (listed === undefined) listedIn.set(id, [phase.id]);
      else listed.push(phase.id);
    }
  }
  return { graph, nodes, phases, listedIn };
}

/** The phase a node belongs to: its `phase` field, else the first phase listing it. */
export function phaseOfNode(index: GraphIndex, node: Node): string | undefined {
  return node.phase ?? index.listedIn.get(node.id)?.[0];
}
