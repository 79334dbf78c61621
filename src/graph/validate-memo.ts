import type { ActionCatalog } from './catalog.js';
import type { Graph, Phase } from './types.js';

/** What a graph was found valid against, and everything of it the checks read at the time. */
interface Validation {
  readonly catalog: ActionCatalog | undefined;
  readonly provided: ReadonlySet<string>;
  readonly shape: readonly unknown[];
}

/**
 * Graphs found valid in this process (a plan's `graph()` validates, then the executor would
 * check the same graph again). Weak: a graph that is dropped takes its entry with it.
 */
const validated = new WeakMap<Graph, Validation>();

/**
 * Whether `graph` was already found valid against at least what `catalog` and `provided` ask
 * and nothing the checks read has changed since. A graph that never passed through
 * {@link rememberValid} (read from a file, built by hand) is never skipped.
 */
export function isKnownValid(graph: Graph, catalog: ActionCatalog | undefined, provided: readonly string[] | undefined): boolean {
  const known = validated.get(graph);
  if (known === undefined) return false;
  // Checked with the same catalog (or one, where none is asked now); fewer provided names is stricter.
  if (known.catalog !== catalog && catalog !== undefined) return false;
  for (const name of known.provided) if (!(provided ?? []).includes(name)) return false;
  return sameShape(known.shape, shapeOf(graph, known.catalog));
}

/** Records that `graph` passed every check against `catalog` and `provided`. */
export function rememberValid(graph: Graph, catalog: ActionCatalog | undefined, provided: readonly string[] | undefined): void {
  validated.set(graph, { catalog, provided: new Set(provided), shape: shapeOf(graph, catalog) });
}

/**
 * A flat list of everything validation reads: the node, edge and phase lists, every node's id,
 * action, phase and slots (an object value as its JSON), every edge, the phases' ids, roles,
 * members, compensations and retries, and the spec each action had. Equal lists (element by
 * element, `Object.is`) mean the checks would find what they found before.
 */
function shapeOf(graph: Graph, catalog: ActionCatalog | undefined): unknown[] {
  const shape: unknown[] = [graph.nodes, graph.nodes.length, graph.edges, graph.edges.length, graph.phases];
  const actions = new Set<string>();
  for (const node of graph.nodes) {
    shape.push(node, node.id, node.action, node.phase, node.slots);
    actions.add(node.action);
    for (const name in node.slots) {
      const slot = node.slots[name];
      shape.push(name, slot, slot?.kind);
      if (slot?.kind === 'immediate') shape.push(typeof slot.value === 'object' && slot.value !== null ? JSON.stringify(slot.value) : slot.value);
      else if (slot?.kind === 'promise') shape.push(slot.node, slot.slot);
      else if (slot?.kind === 'proxy') shape.push(slot.gather, slot.field);
    }
    shape.push('');
  }
  for (const edge of graph.edges) shape.push(edge, edge.from, edge.to, edge.kind);
  if (graph.phases !== undefined) shape.push(JSON.stringify(graph.phases.map(checkedFields)));
  for (const action of actions) shape.push(action, catalog?.spec(action));
  return shape;
}

function checkedFields(phase: Phase): readonly unknown[] {
  return [phase.id, phase.role, phase.nodes, phase.compensate, phase.retry];
}

function sameShape(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (!Object.is(a[index], b[index])) return false;
  return true;
}
