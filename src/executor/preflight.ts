import {
  DependencyView,
  WritLoreError,
  errorMessage,
  isWritLoreError,
  fillSlotsFromData,
  immediate,
  type Graph,
  type Node,
} from '../graph/index.js';
import type { Action, ProbeContext, ProbeOutcome, TargetState } from '../actions/index.js';
import {
  CONFLICT_RESOLUTIONS,
  ConflictError,
  classifyOccupant,
  type Conflict,
  type ConflictKind,
  type ConflictResolution,
  type KnownTargets,
} from './conflicts.js';
import { EventLoopSlices } from './event-loop.js';
import { slotNames } from './node-runner.js';

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /** The resolution for every conflict not given one per path or in the plan. Default `stop`. */
  readonly resolution?: ConflictResolution;
  /** Resolutions per target path; they win over the node's `on_conflict` slot and `resolution`. */
  readonly perPath?: Readonly<Record<string, ConflictResolution>>;
  /** What the last receipt left at each target path (makes our own links and files `replace`). */
  readonly known?: KnownTargets;
  /** Directories (source roots, layers) a symlink pointing into is ours, when `known` has no record. */
  readonly ownedRoots?: readonly string[];
}

/** One node's prediction. */
export interface PreflightEntry {
  readonly node: string;
  readonly action: string;
  readonly path?: string;
  /** The probe's outcome, with a conflict on an item of ours turned into `replace`. */
  readonly outcome?: ProbeOutcome;
  /** Why the node could not be probed (a slot known only at run time, or a probe error). */
  readonly unprobed?: string;
}

/** Everything preflight saw: each node's outcome, and every conflict with its resolution. */
export interface PreflightReport {
  readonly entries: readonly PreflightEntry[];
  readonly conflicts: readonly Conflict[];
}

/** Actions whose conflict is a refusal (wrong kind of item), which ownership cannot resolve. */
const REFUSALS: ReadonlySet<string> = new Set(['file.unlink']);

/**
 * Probes every pending node that has a probe, read-only, and classifies what is in the way:
 * nothing, a regular file, a directory, a foreign symlink, our own symlink (already done), or
 * something of ours changed since the last receipt. Changes nothing on disk or in the graph.
 * Slots come from immediates (filled from `ctx.data`); a node whose `path` is a promise is
 * reported as unprobed.
 */
export async function preflight(
  graph: Graph,
  actions: ReadonlyMap<string, Action>,
  ctx: ProbeContext,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const entries: PreflightEntry[] = [];
  const conflicts: Conflict[] = [];
  const forwardOnly = nodesOutsideForwardPhases(graph);
  let isEveryStepProbed = forwardOnly.size === 0;
  const slices = new EventLoopSlices();
  for (const node of graph.nodes) {
    // Probes that find everything in the memo never wait: let a signal's handler run now and then.
    const pause = slices.pause();
    if (pause !== undefined) await pause;
    if (ctx.signal.aborted) throw cancelled(ctx.signal);
    const action = actions.get(node.id);
    if (node.status !== 'pending' || action?.probe === undefined || forwardOnly.has(node.id)) {
      if (node.status === 'pending' && action?.probe === undefined) isEveryStepProbed = false;
      continue;
    }
    const slots = probeSlots(node, action, ctx.data);
    const path = typeof slots['path'] === 'string' ? slots['path'] : undefined;
    if (path === undefined) {
      entries.push({ node: node.id, action: node.action, unprobed: 'its path is known only at run time' });
      continue;
    }
    // Awaited here, not in a helper: one promise less per node (tens of thousands of them).
    let outcome: ProbeOutcome;
    try {
      outcome = await action.probe(forNode(ctx, node.id), slots);
    } catch (error) {
      entries.push({ node: node.id, action: node.action, path, unprobed: errorMessage(error) });
      continue;
    }
    if (outcome.kind !== 'conflict') {
      entries.push({ node: node.id, action: node.action, path, outcome });
      continue;
    }
    const settled = settleConflict(node, action, path, outcome, options);
    entries.push({ node: node.id, action: node.action, path, outcome: settled.outcome });
    if (settled.conflict !== undefined) conflicts.push(settled.conflict);
  }
  // A probe the signal cut short is only an unprobed entry: the run must not start after it.
  if (ctx.signal.aborted) throw cancelled(ctx.signal);
  if (ctx.memo !== undefined && !(isEveryStepProbed && hasOneWriterPerPath(entries))) ctx.memo.forgetFree();
  return { entries, conflicts };
}

/**
 * Whether every probed step has its own path, known now. Only then (and when every step was
 * probed) may a step trust that a path its probe found free is still free when it runs: with
 * two writers of one path (an ordered sequence), a writer whose path is bound during the run,
 * or a step that cannot be probed, an earlier step could fill a later one's path.
 */
function hasOneWriterPerPath(entries: readonly PreflightEntry[]): boolean {
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.path === undefined) return false;
    if (seen.has(entry.path)) return false;
    seen.add(entry.path);
  }
  return true;
}

/**
 * Acts on a report before the run: any conflict resolved `stop` throws a {@link ConflictError}
 * listing every conflict (nothing has been changed); `skip` marks the node `skipped` with the
 * reason; `backup`, `overwrite` and `adopt` are written into the node's `on_conflict` slot, so
 * the action honours them and the receipt records the decision per path.
 */
export function applyPreflight(graph: Graph, report: PreflightReport): void {
  if (report.conflicts.length === 0) return;
  if (report.conflicts.some((c) => c.resolution === 'stop'))
    throw new ConflictError(report.conflicts);
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  let skipped = false;
  for (const conflict of report.conflicts) {
    const node = byId.get(conflict.node);
    if (node === undefined) continue;
    if (conflict.resolution === 'skip') {
      node.status = 'skipped';
      node.error = `skipped: conflict (${conflict.reason})`;
      skipped = true;
    } else {
      // Slots are read-only to consumers; preflight is the one writer, before the run starts.
      Object.assign(node, {
        slots: { ...node.slots, on_conflict: immediate(conflict.resolution) },
      });
    }
  }
  if (skipped) skipUnusedProducers(graph, byId);
}

/**
 * Skips the pending nodes whose every dependent is skipped (a render or decryption feeding only
 * a copy preflight resolved `skip`), up the graph: their output would go nowhere, and a secret
 * that cannot be decrypted must not fail a run that is not going to write it.
 */
function skipUnusedProducers(graph: Graph, byId: ReadonlyMap<string, Node>): void {
  const view = new DependencyView(graph);
  const isSkipped = (id: string): boolean => byId.get(id)?.status === 'skipped';
  const queue = graph.nodes.filter((node) => node.status === 'skipped').map((node) => node.id);
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const producer of view.dependsOn(id)) {
      const node = byId.get(producer);
      if (node?.status !== 'pending' || !view.dependents(producer).every(isSkipped)) continue;
      node.status = 'skipped';
      node.error = `skipped: its output goes only to skipped nodes (${id})`;
      queue.push(producer);
    }
  }
}

/** {@link preflight} then {@link applyPreflight}: what the executor calls before its first change. */
export async function runPreflight(
  graph: Graph,
  actions: ReadonlyMap<string, Action>,
  ctx: ProbeContext,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const report = await preflight(graph, actions, ctx, options);
  applyPreflight(graph, report);
  return report;
}

/**
 * Nodes of compensation phases (they run only during rollback) and body phases (they run per
 * gather item or chosen branch, with slots bound then): not probed before the run.
 */
function nodesOutsideForwardPhases(graph: Graph): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const phase of graph.phases ?? []) {
    if ((phase.role ?? 'forward') !== 'forward') for (const id of phase.nodes) ids.add(id);
  }
  return ids;
}

/** The context for one node; fields are copied one by one (a class instance's getters do not spread). */
function forNode(ctx: ProbeContext, nodeId: string): ProbeContext {
  return { nodeId, signal: ctx.signal, clock: ctx.clock, data: ctx.data, log: ctx.log, memo: ctx.memo };
}

/** A node's immediate slot values, with unset slots filled from run data (promises left out). */
function probeSlots(node: Node, action: Action, data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const immediates: Record<string, unknown> = {};
  const { slots } = node;
  for (const name in slots) {
    const slot = slots[name];
    if (slot?.kind === 'immediate' && Object.hasOwn(slots, name)) immediates[name] = slot.value;
  }
  return fillSlotsFromData(immediates, data, slotNames(action));
}

/** Turns a probe conflict into `replace` (ours) or a {@link Conflict} with its resolution. */
function settleConflict(
  node: Node,
  action: Action,
  path: string,
  outcome: Extract<ProbeOutcome, { kind: 'conflict' }>,
  options: PreflightOptions,
): { outcome: ProbeOutcome; conflict?: Conflict } {
  const refusal = REFUSALS.has(action.name);
  const known = options.known?.get(path);
  const kind = classifyOccupant(path, outcome.current, known, options.ownedRoots ?? []);
  // What writ deployed at the target says nothing about a file in the way of its parent.
  if (kind === 'ours' && !refusal && outcome.parent === undefined) {
    return {
      outcome: {
        kind: 'replace',
        target: path,
        current: outcome.current,
        detail: 'ours (from the last receipt)',
      },
    };
  }
  const conflictKind: ConflictKind = kind === 'ours' ? kindOf(outcome.current) : kind;
  const requested = options.perPath?.[path] ?? slotResolution(node) ?? options.resolution ?? 'stop';
  const problem = outcome.parent === undefined ? unusable(requested, action.name, outcome.current, refusal) : unusableAtParent(requested, outcome.parent);
  const base = {
    node: node.id,
    action: action.name,
    path,
    kind: conflictKind,
    current: outcome.current,
    reason: outcome.reason,
  };
  const conflict: Conflict =
    problem !== undefined
      ? { ...base, resolution: 'stop', note: problem }
      : requested === 'stop' && outcome.parent !== undefined
        ? { ...base, resolution: requested, note: `only skip resolves this, or moving ${outcome.parent} away` }
        : { ...base, resolution: requested };
  return { outcome, conflict };
}

/** Why `resolution` cannot resolve a conflict at the target's `parent`: only skip (or stop) can. */
function unusableAtParent(resolution: ConflictResolution, parent: string): string | undefined {
  if (resolution === 'skip' || resolution === 'stop') return undefined;
  return `${resolution} works at the target, not at ${parent}: move it away first, or skip this target`;
}

/** Why `resolution` cannot resolve this conflict, or undefined when it can. */
function unusable(
  resolution: ConflictResolution,
  action: string,
  current: TargetState,
  refusal: boolean,
): string | undefined {
  if (resolution === 'adopt' && (action !== 'file.link' || current.type !== 'file')) {
    return 'adopt works only for a regular file in the way of file.link';
  }
  if (refusal && resolution !== 'skip' && resolution !== 'stop')
    return `${action} cannot ${resolution} this; only skip resolves it`;
  return undefined;
}

function kindOf(current: TargetState): ConflictKind {
  if (current.type === 'directory') return 'directory';
  return current.type === 'symlink' ? 'foreign-symlink' : 'file';
}

function slotResolution(node: Node): ConflictResolution | undefined {
  const slot = node.slots['on_conflict'];
  if (slot?.kind !== 'immediate' || typeof slot.value !== 'string') return undefined;
  return (CONFLICT_RESOLUTIONS as readonly string[]).includes(slot.value)
    ? (slot.value as ConflictResolution)
    : undefined;
}

/** Why preflight stops: the signal's own `cancelled` reason (naming a process signal), else a plain one. */
function cancelled(signal: AbortSignal): WritLoreError {
  const reason: unknown = signal.reason;
  return isWritLoreError(reason, 'cancelled') ? reason : new WritLoreError('cancelled', 'preflight was cancelled');
}
