import { lstatSync, readlinkSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  digestBytes,
  errorMessage,
  foldDeployments,
  type Graph,
  type Node,
  type ReceiptStore,
  type WritPlan,
} from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import type { Style } from '../output.js';
import { formatCount } from '../plural.js';
import type { CommandContext, Handler } from '../program.js';
import { isWithin, openSession, ownedRootsOf, planFromFlags, runDataFor, type WritFlags, type WritSession, warnInterrupted } from './context.js';
import { predictTargets, type TargetPrediction } from './predict.js';
import { displayTarget } from './purchase-order.js';

/** How a deployed target compares with the disk and the repository. */
export const STATUS_KINDS = ['ok', 'missing', 'modified', 'replaced', 'source-changed', 'orphan'] as const;
/** One of {@link STATUS_KINDS}. */
export type StatusKind = (typeof STATUS_KINDS)[number];

/** What the receipts say was deployed at one path. */
interface Deployed {
  readonly path: string;
  readonly kind: 'link' | 'copy';
  readonly source?: string;
  readonly digest?: string;
  readonly project?: string;
  readonly layer?: string;
  readonly receipt: string;
}

/** One status line. */
interface StatusLine extends Deployed {
  readonly status: StatusKind;
  readonly detail: string;
}

const STYLE = {
  ok: 'green',
  missing: 'red',
  modified: 'yellow',
  replaced: 'yellow',
  'source-changed': 'cyan',
  orphan: 'magenta',
} as const satisfies Record<StatusKind, Style>;

/** `writ status`: every deployed target from the writ receipts, checked against disk and repository. */
export const handler: Handler<WritFlags> = async (ctx: CommandContext<WritFlags>) => {
  const { out } = ctx;
  const session = openSession(ctx);
  await warnInterrupted(ctx.out, session.store);
  // With --target, that target's files only; else all, the latest run's target compared with
  // the repository (a file of another target is checked against the disk alone).
  const given = ctx.options.target === undefined ? undefined : path.resolve(ctx.options.target);
  const { deployed: everything, latest } = await deployedTargets(session.store, given);
  const root = given ?? latest?.context.target_root;
  const deployed = given === undefined ? everything : new Map([...everything].filter(([target]) => isWithin(target, given)));
  const projects = [...new Set([...deployed.values()].flatMap((entry) => (entry.project === undefined ? [] : [entry.project])))].sort();
  const predictions = deployed.size === 0 ? undefined : await repositoryView(ctx, session, latest, projects);
  const lines = [...deployed.values()].map((entry) => statusOf(entry, predictions, root === undefined || isWithin(entry.path, root)));
  lines.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const counts = Object.fromEntries(STATUS_KINDS.map((kind) => [kind, lines.filter((line) => line.status === kind).length]));
  if (out.isJson) {
    out.json({ version: 1, files: lines, counts });
    return EXIT.ok;
  }
  if (lines.length === 0) {
    out.line('nothing deployed: no writ receipt records a file', true);
    return EXIT.ok;
  }
  out.table(
    [{ title: 'STATUS' }, { title: 'TARGET' }, { title: 'PROJECT' }, { title: 'DETAIL' }],
    lines.map((line) => [out.paint(STYLE[line.status], line.status), displayTarget(line.path, root), line.project ?? '-', line.detail]),
  );
  out.line();
  const notOk = STATUS_KINDS.filter((kind) => kind !== 'ok' && counts[kind] !== 0).map((kind) => `${counts[kind]} ${kind}`);
  const files = formatCount(lines.length, 'file');
  out.line(notOk.length === 0 ? `${files}, all as deployed` : `${files}: ${counts['ok']} ok, ${notOk.join(', ')}`, true);
  return EXIT.ok;
};

/** The newest placement of every deployed path (see {@link foldDeployments}). */
async function deployedTargets(store: ReceiptStore, target: string | undefined): Promise<{ deployed: Map<string, Deployed>; latest: Graph | undefined }> {
  const { stacks, latest } = await foldDeployments(store, target === undefined ? {} : { target });
  const deployed = new Map<string, Deployed>();
  for (const [path, stack] of stacks) {
    const top = stack.at(-1);
    if (top !== undefined && (top.node.action === 'file.link' || top.node.action === 'file.copy')) {
      deployed.set(path, deployedOf(top.node, path, top.stem));
    }
  }
  return { deployed, latest };
}

function deployedOf(node: Node, path: string, receipt: string): Deployed {
  const source = node.annotations?.['writ.source'] ?? immediateString(node, 'source');
  return {
    path,
    kind: node.action === 'file.link' ? 'link' : 'copy',
    receipt,
    ...(node.action === 'file.link' ? { source: immediateString(node, 'source') ?? source ?? '' } : source === undefined ? {} : { source }),
    ...(node.target_digest === undefined ? {} : { digest: node.target_digest }),
    ...(node.project === undefined ? {} : { project: node.project }),
    ...(node.layer === undefined ? {} : { layer: node.layer }),
  };
}

/**
 * The repository's current plan for the deployed projects, from the flags when a repository
 * is given, else from the latest deployment's layers and target. Undefined (with a warning) when it cannot be
 * built: source and orphan checks are then left out.
 */
async function repositoryView(
  ctx: CommandContext<WritFlags>,
  session: WritSession,
  latest: Graph | undefined,
  projects: readonly string[],
): Promise<Map<string, TargetPrediction> | undefined> {
  const flags = ctx.options;
  const hasRepo = flags.repo !== undefined || (flags.layer ?? []).length > 0 || (session.env['WRIT_REPO'] ?? '') !== '';
  if (!hasRepo && latest === undefined) return undefined;
  let plan: WritPlan;
  try {
    plan = hasRepo || latest === undefined ? planFromFlags(session, flags, projects) : planFromFlags(session, flagsFromReceipt(flags, latest), projects);
  } catch (error) {
    ctx.out.warn(`cannot compare with the repository: ${errorMessage(error)}`);
    return undefined;
  }
  const predictions = await predictTargets(plan.graph, {
    registry: session.registry,
    data: runDataFor(session, plan.graph, flags),
    preflight: { resolution: 'stop', ownedRoots: ownedRootsOf(plan.graph) },
  });
  return new Map(predictions.map((prediction) => [prediction.target, prediction]));
}

function flagsFromReceipt(flags: WritFlags, receipt: Graph): WritFlags {
  const layers = (receipt.context.layers ?? []).map((layer) => `${layer.name}=${layer.path}`);
  const target = receipt.context.target_root;
  return { ...flags, layer: layers, ...(target === undefined ? {} : { target }) };
}

/**
 * The status of `entry`: from the disk, then against `repository` (the current plan, when it
 * could be built). A path the plan does not have is an orphan only when it lies under the
 * plan's target (`isPlanned`); a file of another target is not judged by it.
 */
function statusOf(entry: Deployed, repository: Map<string, TargetPrediction> | undefined, isPlanned: boolean): StatusLine {
  const onDisk = diskStatus(entry);
  if (onDisk !== undefined) return { ...entry, ...onDisk };
  const wanted = repository?.get(entry.path);
  if (wanted === undefined) {
    return repository === undefined || !isPlanned ? { ...entry, status: 'ok', detail: '' } : { ...entry, status: 'orphan', detail: 'no longer in the repository' };
  }
  if (entry.kind === 'link') {
    if (wanted.transform !== 'link') return { ...entry, status: 'source-changed', detail: `now a ${wanted.transform}` };
    if (wanted.source !== entry.source) return { ...entry, status: 'source-changed', detail: `now from ${wanted.source}` };
    return { ...entry, status: 'ok', detail: '' };
  }
  if (wanted.transform === 'link') return { ...entry, status: 'source-changed', detail: 'now a link' };
  if (wanted.content !== undefined && entry.digest !== undefined && digestBytes(wanted.content) !== entry.digest) {
    return { ...entry, status: 'source-changed', detail: `${wanted.transform} output changed; apply to update` };
  }
  // As deployed on disk; whether the repository changed it is unknown (a secret without its
  // identity, a template that does not render): said, not passed over as ok.
  if (wanted.content === undefined && wanted.outcome.kind === 'unknown') {
    return { ...entry, status: 'ok', detail: `source not compared: ${wanted.outcome.reason}` };
  }
  return { ...entry, status: 'ok', detail: '' };
}

function diskStatus(entry: Deployed): { status: StatusKind; detail: string } | undefined {
  const stats = lstatSync(entry.path, { throwIfNoEntry: false });
  if (stats === undefined) return { status: 'missing', detail: 'deleted since it was deployed' };
  if (entry.kind === 'link') {
    if (!stats.isSymbolicLink()) return { status: 'replaced', detail: `a ${stats.isDirectory() ? 'directory' : 'file'} replaced the link` };
    const now = readlinkSync(entry.path);
    return now === entry.source ? undefined : { status: 'replaced', detail: `points to ${now}` };
  }
  if (!stats.isFile()) return { status: 'replaced', detail: 'no longer a regular file' };
  if (entry.digest === undefined) return undefined;
  return digestBytes(readFileSync(entry.path)) === entry.digest ? undefined : { status: 'modified', detail: 'edited since it was deployed' };
}

function immediateString(node: Node, name: string): string | undefined {
  const slot = node.slots[name];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}
