import type { Graph, Node } from '../../graph/index.js';
import { compareText } from './order.js';
import type { TargetSource, WritScope, WritTransform } from './types.js';

/** Annotation keys writ puts on the node that writes each target. */
export const WRIT_ANNOTATIONS = {
  source: 'writ.source',
  transform: 'writ.transform',
  scope: 'writ.scope',
} as const;

const TRANSFORMS: readonly WritTransform[] = ['link', 'copy', 'render', 'decrypt', 'decrypt-render'];
const SCOPES: readonly WritScope[] = ['home', 'system'];

/**
 * The target → source lines of a writ graph, plan or receipt alike (read from the writing
 * nodes' `path` slot, project, layer and `writ.*` annotations), sorted by target. Nodes that
 * writ did not make are left out.
 */
export function targetSources(graph: Graph): TargetSource[] {
  const lines: TargetSource[] = [];
  for (const node of graph.nodes) {
    const line = sourceLine(node);
    if (line !== undefined) lines.push(line);
  }
  // A plan built by buildWritPlan lists its targets in order already: check before sorting.
  for (let index = 1; index < lines.length; index += 1) {
    if ((lines[index - 1] as TargetSource).target > (lines[index] as TargetSource).target) {
      return lines.sort((a, b) => compareText(a.target, b.target));
    }
  }
  return lines;
}

/** The line for `target` (an absolute path), or undefined when the plan does not deploy it. */
export function sourceOfTarget(sources: readonly TargetSource[], target: string): TargetSource | undefined {
  return sources.find((line) => line.target === target);
}

/** Deployed targets per project (projects and targets sorted): what `writ remove <project>` undoes. */
export function targetsByProject(sources: readonly TargetSource[]): ReadonlyMap<string, readonly string[]> {
  const byProject = new Map<string, string[]>();
  for (const line of [...sources].sort((a, b) => compareText(a.project, b.project) || compareText(a.target, b.target))) {
    const list = byProject.get(line.project);
    if (list === undefined) byProject.set(line.project, [line.target]);
    else list.push(line.target);
  }
  return byProject;
}

function sourceLine(node: Node): TargetSource | undefined {
  const { annotations } = node;
  if (annotations === undefined) return undefined;
  const source = annotations[WRIT_ANNOTATIONS.source];
  const transform = oneOf(TRANSFORMS, annotations[WRIT_ANNOTATIONS.transform]);
  const scope = oneOf(SCOPES, annotations[WRIT_ANNOTATIONS.scope]);
  const path = node.slots['path'];
  if (source === undefined || transform === undefined || scope === undefined) return undefined;
  if (path?.kind !== 'immediate' || typeof path.value !== 'string') return undefined;
  return {
    target: path.value,
    source,
    layer: node.layer ?? '',
    project: node.project ?? '',
    scope,
    transform,
    node: node.id,
  };
}

/** `value` when it is one of `names` (no closure per call: this runs for every node). */
function oneOf<T extends string>(names: readonly T[], value: string | undefined): T | undefined {
  for (const name of names) if (name === value) return name;
  return undefined;
}
