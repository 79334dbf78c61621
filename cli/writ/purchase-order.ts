import path from 'node:path';
import { readFileSync } from 'node:fs';
import { unifiedDiff, type Collision, type Graph, type WritSkippedPath } from '../../src/index.js';
import { formatTable, type Output, type Style } from '../output.js';
import { formatCount } from '../plural.js';
import type { TargetOutcome, TargetPrediction } from './predict.js';

/** The label, sign and colour of each outcome. */
const OUTCOME_STYLE = {
  create: { sign: '+', word: 'create', style: 'green' },
  replace: { sign: '~', word: 'replace', style: 'yellow' },
  unchanged: { sign: '=', word: 'unchanged', style: 'dim' },
  conflict: { sign: '!', word: 'conflict', style: 'red' },
  unknown: { sign: '?', word: 'unknown', style: 'magenta' },
} as const satisfies Record<TargetOutcome['kind'], { sign: string; word: string; style: Style }>;

/** Outcome → count, in display order. */
export function countOutcomes(predictions: readonly TargetPrediction[]): Record<TargetOutcome['kind'], number> {
  const counts = { create: 0, replace: 0, unchanged: 0, conflict: 0, unknown: 0 };
  for (const prediction of predictions) counts[prediction.outcome.kind] += 1;
  return counts;
}

/** `~/.bashrc` for a path under the target root, else the absolute path. */
export function displayTarget(target: string, targetRoot: string | undefined): string {
  if (targetRoot === undefined) return target;
  const relative = plainRelative(target, targetRoot) ?? path.relative(targetRoot, target);
  return relative.startsWith('..') || path.isAbsolute(relative) ? target : `~/${relative}`;
}

/** A `.` or `..` segment, an empty one, or a trailing slash: what `path.relative` would normalise. */
const ODD_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|\/$/;

/**
 * What follows `root/` in `target`, when that is `path.relative(root, target)`: both absolute
 * POSIX paths with nothing to normalise. Otherwise undefined. (A purchase order has one line
 * per target: `path.relative` resolves both paths every time.)
 */
function plainRelative(target: string, root: string): string | undefined {
  if (path.sep !== '/' || root.charCodeAt(0) !== 47 || target.charCodeAt(root.length) !== 47 || !target.startsWith(root)) return undefined;
  const rest = target.slice(root.length + 1);
  return rest === '' || ODD_SEGMENT.test(rest) || ODD_SEGMENT.test(root) ? undefined : rest;
}

/** What the outcome column says after the sign and word (the conflict's evidence and fate). */
function outcomeDetail(outcome: TargetOutcome): string {
  switch (outcome.kind) {
    case 'create':
    case 'unchanged':
      return '';
    case 'replace':
      return outcome.detail;
    case 'conflict': {
      const { conflict } = outcome;
      const fate = conflict.resolution === 'stop' ? 'stop (nothing will change)' : conflict.resolution;
      const note = conflict.note === undefined ? '' : `; ${conflict.note}`;
      const changed = conflict.kind === 'changed-since-receipt' ? ' (changed since the last receipt)' : '';
      return `${conflict.reason}${changed} → ${fate}${note}`;
    }
    case 'unknown':
      return outcome.reason;
    default:
      return outcome satisfies never;
  }
}

/** What the purchase order shows of a plan: a fresh one (a `WritPlan`) or one saved to a file. */
export interface PurchaseOrderPlan {
  readonly graph: Graph;
  readonly projects: readonly string[];
  readonly layers: readonly { readonly name: string; readonly path: string }[];
  readonly segments: Readonly<Record<string, string>>;
  readonly collisions: readonly Collision[];
  /** What the repository has that the plan leaves out, and why (a fresh plan only). */
  readonly skipped?: readonly WritSkippedPath[];
}

/** The purchase order's view of a saved plan: what its graph recorded when it was made. */
export function savedPlanView(graph: Graph): PurchaseOrderPlan {
  const { context } = graph;
  return {
    graph,
    projects: context.projects ?? [],
    layers: context.layers ?? [],
    segments: context.segments ?? {},
    collisions: graph.collisions ?? [],
  };
}

/** Prints the purchase order: header, one aligned line per target, collisions, skipped paths, counts, checksum. */
export function printPurchaseOrder(out: Output, plan: PurchaseOrderPlan, predictions: readonly TargetPrediction[], checksum: string): void {
  const { graph } = plan;
  const root = graph.context.target_root;
  out.line(out.paint('bold', `writ purchase order — ${graph.timestamp}`));
  for (const [label, value] of headerRows(plan, graph)) out.line(`  ${label.padEnd(9)} ${value}`);
  out.line();
  const signs = new Map<TargetOutcome['kind'], string>();
  const rows = predictions.map((prediction) => {
    const { kind } = prediction.outcome;
    let sign = signs.get(kind);
    if (sign === undefined) {
      const style = OUTCOME_STYLE[kind];
      signs.set(kind, (sign = out.paint(style.style, `${style.sign} ${style.word}`)));
    }
    return [
      sign,
      displayTarget(prediction.target, root),
      `${prediction.transform} ← ${prediction.layer}/${prediction.project}`,
      outcomeDetail(prediction.outcome),
    ];
  });
  const lines = formatTable([{ title: '' }, { title: '' }, { title: '' }, { title: '' }], rows).slice(1);
  // One write for the whole table: a line per write is a system call per target.
  if (lines.length > 0) out.line(lines.map((text) => `  ${text.trimEnd()}`).join('\n'));
  printCollisions(out, plan);
  printSkipped(out, plan);
  const counts = countOutcomes(predictions);
  out.line();
  out.line(
    `${formatCount(predictions.length, 'target')}: ${counts.create} to create, ${counts.replace} to replace, ` +
      `${counts.unchanged} unchanged, ${formatCount(counts.conflict, 'conflict')}${counts.unknown > 0 ? `, ${counts.unknown} unknown` : ''}`,
  );
  out.line(`plan checksum ${checksum}`);
}

function headerRows(plan: PurchaseOrderPlan, graph: Graph): [string, string][] {
  const actions = new Map<string, number>();
  for (const node of graph.nodes) actions.set(node.action, (actions.get(node.action) ?? 0) + 1);
  return [
    ['tool', `writ (${graph.platform.os}/${graph.platform.arch})`],
    ['target', graph.context.target_root ?? '-'],
    ['projects', plan.projects.join(', ')],
    ['layers', plan.layers.map((layer) => `${layer.name} (${layer.path})`).join(', ')],
    ['segments', Object.entries(plan.segments).map(([name, value]) => `${name}=${value}`).join(' ')],
    ['actions', [...actions].map(([name, count]) => `${name} ${count}`).join(', ')],
  ];
}

function printCollisions(out: Output, plan: PurchaseOrderPlan): void {
  if (plan.collisions.length === 0) return;
  out.line();
  out.line(`collisions (${plan.collisions.length}):`);
  const root = plan.graph.context.target_root;
  const lines = plan.collisions.map((collision) => {
    const byLayer = collision.winner_layer !== undefined && collision.winner_layer !== collision.loser_layer;
    const winner = byLayer ? `${collision.winner_layer}` : collision.winner;
    const loser = byLayer ? `${collision.loser_layer ?? collision.loser}` : collision.loser;
    return { collision, text: `  ${displayTarget(collision.target, root)}: ${winner} wins over ${loser} (${collision.reason})` };
  });
  // Two sources of one layer losing to the same winner read alike by layer name: name them.
  const seen = new Map<string, number>();
  for (const { text } of lines) seen.set(text, (seen.get(text) ?? 0) + 1);
  for (const { collision, text } of lines) {
    out.line((seen.get(text) ?? 0) > 1 ? `${text}: ${collision.loser} loses` : text);
  }
}

/** What the repository has that the plan leaves out (System/ without --system, ignores…), and why. */
function printSkipped(out: Output, plan: PurchaseOrderPlan): void {
  const skipped = plan.skipped ?? [];
  if (skipped.length === 0) return;
  out.line();
  out.line(`skipped (${skipped.length}):`);
  const layers = new Map(plan.layers.map((layer) => [layer.name, layer.path]));
  const rows = skipped.map((skip) => {
    const root = layers.get(skip.layer);
    const shown = root === undefined ? skip.path : `${skip.layer}/${path.relative(root, skip.path)}`;
    return [shown, skip.reason];
  });
  const lines = formatTable([{ title: '' }, { title: '' }], rows).slice(1);
  out.line(lines.map((text) => `  ${text.trimEnd()}`).join('\n'));
}

/**
 * The unified diff of one target: copies and templates in full, secrets as digests only, links
 * as a one-line description. Empty when nothing would change.
 */
export function diffOf(prediction: TargetPrediction): string {
  const { outcome } = prediction;
  if (outcome.kind === 'unchanged' || outcome.kind === 'unknown') return '';
  if (prediction.transform === 'link') {
    const current = outcome.kind === 'replace' ? outcome.current : outcome.kind === 'conflict' ? outcome.conflict.current : undefined;
    const before = current === undefined ? 'nothing' : current.type === 'symlink' ? `symlink to ${current.link_target ?? '?'}` : `a ${current.type}`;
    return `Link ${prediction.target}: ${before} -> symlink to ${prediction.source}\n`;
  }
  const isSecret = prediction.transform === 'decrypt' || prediction.transform === 'decrypt-render';
  return unifiedDiff(prediction.target, currentBytes(prediction.target), prediction.content ?? null, { secret: isSecret });
}

function currentBytes(target: string): Buffer | null {
  try {
    return readFileSync(target);
  } catch (error) {
    // Nothing there (or a directory in the way): the diff shows the whole new file.
    if (error instanceof Error) return null;
    throw error;
  }
}

/** The JSON form of predictions (content never included: it may be secret). */
export function predictionsJson(predictions: readonly TargetPrediction[]): unknown[] {
  return predictions.map(({ content: _content, outcome, ...line }) => ({
    ...line,
    outcome: outcome.kind === 'conflict' ? { ...outcome.conflict, kind: 'conflict', occupant: outcome.conflict.kind } : outcome,
  }));
}
