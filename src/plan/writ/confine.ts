import { posix } from 'node:path';
import { WritLoreError, type Graph, type GraphContext, type Node } from '../../graph/index.js';
import { isPathInside } from '../paths.js';
import { WRIT_ANNOTATIONS } from './sources.js';

/**
 * Where a writ node of a plan or receipt may point: its target paths (the `path` slot, the
 * undo state's `path`, `created_dirs` and a move's `source`) under the recorded target root
 * (or, for a `System/` node of a `--system` run, the recorded system root), and the files it
 * reads or adopts (the `source` slot, an adopt's `source`) inside a recorded layer. Every path
 * absolute and normalised (no `.` or `..` segments). A checksum only proves that a file was
 * not changed by accident; this keeps a crafted plan or receipt from reaching outside.
 */
export function writNodeEscape(node: Node, context: GraphContext): string | undefined {
  const root = rootOf(node, context);
  const layers = (context.layers ?? []).map((layer) => layer.path);
  const undo = recordOf(node.undo);
  const targets = [immediateText(node, 'path'), textOf(undo?.['path'])];
  if (undo?.['kind'] === 'move') targets.push(textOf(undo['source']));
  for (const path of targets) {
    if (path === undefined) continue;
    const problem = pathProblem(path) ?? (isBelow(path, root) ? undefined : `"${path}" is outside the target ${root}`);
    if (problem !== undefined) return problem;
  }
  const dirs = Array.isArray(undo?.['created_dirs']) ? undo['created_dirs'] : [];
  for (const dir of dirs) {
    const path = textOf(dir) ?? String(dir);
    const problem = pathProblem(path) ?? (path === root || isBelow(path, root) ? undefined : `"${path}" is outside the target ${root}`);
    if (problem !== undefined) return problem;
  }
  const sources = [immediateText(node, 'source'), undo?.['kind'] === 'adopt' ? textOf(undo['source']) : undefined];
  for (const path of sources) {
    if (path === undefined) continue;
    const problem = pathProblem(path) ?? (layers.some((layer) => path === layer || isBelow(path, layer)) ? undefined : `source "${path}" is outside the run's layers`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Refuses a writ graph (a saved plan, a receipt to undo) any of whose nodes points outside
 * its recorded target or layers ({@link writNodeEscape}): `integrity`, exit 4, naming the file
 * (or receipt) and the node.
 */
export function assertWritConfined(graph: Graph, nodes: readonly Node[], where: string): void {
  for (const node of nodes) {
    const problem = writNodeEscape(node, graph.context);
    if (problem === undefined) continue;
    throw new WritLoreError('integrity', `node "${node.id}" points outside what its run recorded: ${problem}; nothing was changed`, {
      path: where,
      hint: 'this file was not written by writ for this target: do not use it',
    });
  }
}

function rootOf(node: Node, context: GraphContext): string {
  const settings = context.settings ?? {};
  const isSystem = node.annotations?.[WRIT_ANNOTATIONS.scope] === 'system' && settings['system'] === 'on';
  return isSystem ? (settings['system_root'] ?? '/') : (context.target_root ?? '');
}

function pathProblem(path: string): string | undefined {
  if (!posix.isAbsolute(path)) return `"${path}" is not an absolute path`;
  if (posix.normalize(path) !== path || (path.length > 1 && path.endsWith('/'))) return `"${path}" is not a normalised path`;
  return undefined;
}

/** Strictly below `root` (a root of `''` contains nothing). */
function isBelow(path: string, root: string): boolean {
  return root !== '' && path !== root && isPathInside(path, root);
}

function immediateText(node: Node, name: string): string | undefined {
  const slot = node.slots[name];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

function recordOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
