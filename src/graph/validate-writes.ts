import { posix } from 'node:path';
import { DependencyView } from './dependency-view.js';
import type { Graph, Node } from './types.js';
import { phaseOfNode, type GraphIndex } from './validate-index.js';
import type { GraphProblem, ValidateOptions } from './validate.js';

/** Empty, `//`, a `.` or `..` segment, or a trailing slash: the cases normalisation changes. */
const NEEDS_NORMALIZING = /^$|\/\/|(^|\/)\.\.?(\/|$)|.\/$/;

/** A target path in comparable form: `a//b/./c/../d/` → `a/b/d`. Pure string work, no fs. */
export function normalizeTargetPath(path: string): string {
  if (!NEEDS_NORMALIZING.test(path)) return path;
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/**
 * Two nodes that may both run in one pass must not write the same path unless edges order
 * them (`file.backup` then `file.copy` of one path is a deliberate sequence; two unordered
 * writers race). Nodes of a compensation or body phase only run when that phase is invoked, so
 * each such phase is its own scope (a compensation restoring a forward write is expected).
 */
export function checkWrites(index: GraphIndex, options: ValidateOptions): GraphProblem[] {
  const { catalog } = options;
  if (catalog === undefined) return [];
  // scope ('' = the forward pass, else a compensation/body phase id) → path → its writer's id,
  // or the list of writer ids once a second node writes it (no array per path otherwise).
  const writers = new Map<string, Map<string, string | string[]>>();
  const isPhased = index.phases.size > 0;
  for (const node of index.nodes.values()) {
    const names = catalog.spec(node.action)?.writes;
    if (names === undefined || names.length === 0) continue;
    const scope = isPhased ? scopeOf(index, node) : '';
    let paths = writers.get(scope);
    if (paths === undefined) writers.set(scope, (paths = new Map()));
    for (const name of names) {
      const slot = node.slots[name];
      if (slot?.kind !== 'immediate' || typeof slot.value !== 'string') continue;
      const path = normalizeTargetPath(slot.value);
      const ids = paths.get(path);
      if (ids === undefined) paths.set(path, node.id);
      else if (typeof ids === 'string') {
        if (ids !== node.id) paths.set(path, [ids, node.id]);
      } else if (!ids.includes(node.id)) ids.push(node.id);
    }
  }
  const shared: [string, string[]][] = [];
  for (const paths of writers.values()) {
    // forEach, not for…of over entries: no [path, ids] pair per written path (tens of thousands).
    paths.forEach((ids, path) => {
      if (typeof ids !== 'string') shared.push([path, ids]);
    });
  }
  if (shared.length === 0) return [];
  const ordering = new WriteOrdering(index.graph);
  return shared.flatMap(([path, ids]) => (ordering.isChain(ids) ? [] : [sameTarget(path, ids)]));
}

/** The write scope of `node`: '' for the forward pass, else its compensation or body phase. */
function scopeOf(index: GraphIndex, node: Node): string {
  const phase = index.phases.get(phaseOfNode(index, node) ?? '');
  return phase === undefined || (phase.role ?? 'forward') === 'forward' ? '' : phase.id;
}

function sameTarget(path: string, ids: readonly string[]): GraphProblem {
  const names = ids.map((id) => `"${id}"`);
  const who =
    ids.length === 2 ? `nodes ${names.join(' and ')} both` : `nodes ${names.join(', ')} all`;
  const message = `${who} write "${path}" and no edges order them`;
  return { kind: 'duplicate-write', message, nodes: ids, path };
}

/** Answers "do edges put these writers in one sequence?", built only when writers share a path. */
class WriteOrdering {
  /** Groups larger than this are reported without analysis (a builder bug, not a sequence). */
  static readonly MAX_GROUP = 32;
  readonly #view: DependencyView;
  readonly #dependents = new Map<string, ReadonlySet<string>>();

  constructor(graph: Graph) {
    this.#view = new DependencyView(graph);
  }

  /** Whether every two of `ids` are ordered (one depends on the other, directly or not). */
  isChain(ids: readonly string[]): boolean {
    if (ids.length > WriteOrdering.MAX_GROUP) return false;
    return ids.every((a, i) =>
      ids.slice(i + 1).every((b) => this.#before(a, b) || this.#before(b, a)),
    );
  }

  #before(a: string, b: string): boolean {
    let after = this.#dependents.get(a);
    if (after === undefined) {
      after = new Set(this.#view.allDependents(a));
      this.#dependents.set(a, after);
    }
    return after.has(b);
  }
}
