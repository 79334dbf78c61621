import { readFile } from 'node:fs/promises';
import {
  DependencyView,
  FsMemo,
  digestBytes,
  WritLoreError,
  errorMessage,
  isWritLoreError,
  fillSlotsFromData,
  hydrate,
  readTargetState,
  preflight,
  resolveSlots,
  systemClock,
  targetSources,
  type Action,
  type ActionContext,
  type ActionRegistry,
  type Conflict,
  type Graph,
  type PreflightEntry,
  type PreflightOptions,
  type PreflightReport,
  type TargetSource,
  type TargetState,
} from '../../src/index.js';
import { displayTarget } from './purchase-order.js';

/**
 * The content actions a dry run may call `do` on: they only read (a template, an age file) and
 * return bytes; they write nothing and have nothing to undo. Everything else is only probed.
 */
const PURE_CONTENT_ACTIONS: ReadonlySet<string> = new Set(['template.render', 'secret.decrypt']);

/** What `apply` would do to one target. */
export type TargetOutcome =
  | { readonly kind: 'create' }
  | { readonly kind: 'replace'; readonly current: TargetState; readonly detail: string }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'conflict'; readonly conflict: Conflict }
  | {
      readonly kind: 'unknown';
      readonly reason: string;
      /** The content could not be computed (a template error, a secret without its identity): the run would fail on it. */
      readonly failed?: true;
    };

/** One purchase-order line: a target, where it comes from, and its predicted outcome. */
export interface TargetPrediction extends TargetSource {
  readonly outcome: TargetOutcome;
  /** The bytes `apply` would write (copies, templates, secrets), when known. */
  readonly content?: Buffer;
}

/** Options of {@link predictTargets}. */
export interface PredictOptions {
  readonly registry: ActionRegistry;
  readonly data: Readonly<Record<string, unknown>>;
  readonly preflight: PreflightOptions;
  readonly signal?: AbortSignal;
  /** Filled by the probes; pass one only while holding the run lock (see `FsMemo`). */
  readonly memo?: FsMemo;
}

/** The predictions and the preflight report they come from. */
export interface Prediction {
  readonly targets: TargetPrediction[];
  readonly report: PreflightReport;
}

/**
 * Predicts every target of a writ graph, read-only: preflight's probes (conflicts settled with
 * their resolutions, our own items turned into `replace`), refined for copies whose content
 * comes from a template or a secret by computing that content in memory.
 */
export async function predictTargets(graph: Graph, options: PredictOptions): Promise<TargetPrediction[]> {
  return (await predict(graph, options)).targets;
}

/** {@link predictTargets}, with the preflight report (a run made under the lock reuses it). */
export async function predict(graph: Graph, options: PredictOptions): Promise<Prediction> {
  const probed = await probeTargets(graph, options);
  return { targets: await predictionsOf(graph, targetSources(graph), probed, options), report: probed.report };
}

/** What a run under the lock needs before it starts. */
export interface RunPrediction {
  readonly report: PreflightReport;
  /** Every target's prediction when all of them are `unchanged` (nothing to do); else undefined. */
  readonly unchanged: readonly TargetPrediction[] | undefined;
}

/**
 * {@link predict} for `apply`, which only needs to know whether anything would change: in a
 * plan without templates or secrets, once a link's probe says it would, no purchase-order line
 * is made. (Templates and secrets are still computed as before the run: decrypting reads the
 * identity, and that read is part of what `apply` is seen to do.)
 */
export async function predictForRun(graph: Graph, options: PredictOptions): Promise<RunPrediction> {
  const probed = await probeTargets(graph, options);
  const lines = targetSources(graph);
  const changes = (line: TargetSource): boolean =>
    line.transform === 'link' && (probed.conflicts.has(line.node) || probed.entries.get(line.node)?.outcome?.kind !== 'ok-already');
  if (!hasContentNodes(graph) && lines.some(changes)) return { report: probed.report, unchanged: undefined };
  const targets = await predictionsOf(graph, lines, probed, options);
  // A target preflight resolved `skip` is not made, so its content does not matter.
  const failed = targets.filter(
    (prediction) => prediction.outcome.kind === 'unknown' && prediction.outcome.failed === true && probed.conflicts.get(prediction.node)?.resolution !== 'skip',
  );
  if (failed.length > 0) throw uncomputable(failed, graph.context.target_root);
  const isNothingToDo = targets.every((prediction) => prediction.outcome.kind === 'unchanged');
  return { report: probed.report, unchanged: isNothingToDo ? targets : undefined };
}

/**
 * The error of a run that cannot start: the content of `failed` cannot be computed now, and
 * the run would compute it the same way and fail on it (then roll back). Said before anything
 * changes, as bad input (exit 2).
 */
function uncomputable(failed: readonly TargetPrediction[], root: string | undefined): WritLoreError {
  const lines = failed.map((prediction) => `  ${displayTarget(prediction.target, root)}: ${prediction.outcome.kind === 'unknown' ? prediction.outcome.reason : ''}`);
  const what = failed.length === 1 ? '1 target cannot be made' : `${failed.length} targets cannot be made`;
  return new WritLoreError('invalid-input', `${what}; nothing was changed:\n${lines.join('\n')}`, {
    hint: "fix the template or give the identity ('writ apply --dry-run' shows them as ? unknown)",
  });
}

/** Preflight's probes of every node, indexed by node. */
interface Probed {
  readonly actions: ReadonlyMap<string, Action>;
  readonly report: PreflightReport;
  readonly entries: ReadonlyMap<string, PreflightEntry>;
  readonly conflicts: ReadonlyMap<string, Conflict>;
}

async function probeTargets(graph: Graph, options: PredictOptions): Promise<Probed> {
  const actions = hydrate(graph, options.registry);
  // Without a run's memo, one for these probes alone: a directory one probe found (or found
  // missing) is not looked at again by the next (no step follows a dry run's probes).
  const memo = options.memo ?? new FsMemo();
  const ctx = { nodeId: '', signal: signalOf(options), clock: systemClock, data: options.data, log: silentLog, memo };
  const report = await preflight(graph, actions, ctx, options.preflight);
  const entries = new Map<string, PreflightEntry>();
  for (const entry of report.entries) entries.set(entry.node, entry);
  const conflicts = new Map<string, Conflict>();
  for (const conflict of report.conflicts) conflicts.set(conflict.node, conflict);
  return { actions, report, entries, conflicts };
}

/** The purchase-order lines of `lines`: probed outcomes, refined by computed content. */
async function predictionsOf(graph: Graph, lines: readonly TargetSource[], probed: Probed, options: PredictOptions): Promise<TargetPrediction[]> {
  const { entries, conflicts } = probed;
  const contents = await previewContents(graph, probed.actions, options.data, signalOf(options));
  let byId: Map<string, Graph['nodes'][number]> | undefined;
  const modeOf = (id: string): string | undefined => {
    byId ??= new Map(graph.nodes.map((node) => [node.id, node]));
    return immediateMode(byId.get(id)?.slots['mode']);
  };
  const predictions: TargetPrediction[] = [];
  for (const line of lines) {
    if (line.transform === 'link') {
      // Links need no content: their outcome is the probe's (no promise per line).
      predictions.push(predictionOf(line, probedOutcome(entries.get(line.node), conflicts.get(line.node))));
      continue;
    }
    const content = await contentOf(line, contents);
    const expected = content === undefined || content instanceof Error ? content : { bytes: content, mode: modeOf(line.node) ?? '0644' };
    const outcome = await outcomeOf(line, entries.get(line.node), conflicts.get(line.node), expected);
    predictions.push(content instanceof Buffer ? { ...line, outcome, content } : { ...line, outcome });
  }
  return predictions;
}

/** A link's purchase-order line: its source line and outcome (fields named: no spread per target). */
function predictionOf(line: TargetSource, outcome: TargetOutcome): TargetPrediction {
  const { target, source, layer, project, scope, transform, node } = line;
  return { target, source, layer, project, scope, transform, node, outcome };
}

/** The bytes a copy would write: its source file, or its computed content (an Error if that failed). */
async function contentOf(line: TargetSource, contents: ReadonlyMap<string, Buffer | Error>): Promise<Buffer | Error | undefined> {
  switch (line.transform) {
    case 'link':
      return undefined;
    case 'copy':
      return readFile(line.source).catch((error: unknown) => toError(error));
    case 'render':
      return contents.get(`render:${line.source}`);
    case 'decrypt':
      return contents.get(`decrypt:${line.source}`);
    case 'decrypt-render':
      return contents.get(`render:${line.source}`) ?? contents.get(`decrypt:${line.source}`);
    default:
      return line.transform satisfies never;
  }
}

async function outcomeOf(
  line: TargetSource,
  entry: PreflightEntry | undefined,
  conflict: Conflict | undefined,
  content: { readonly bytes: Buffer; readonly mode: string } | Error | undefined,
): Promise<TargetOutcome> {
  if (content instanceof Error) return { kind: 'unknown', reason: reasonOf(content), failed: true };
  if (content !== undefined && line.transform !== 'link') {
    const current = await readTargetState(line.target);
    // Missing, unless something is in the way of its parent directory (the probe's conflict).
    if (current.type === 'missing') return conflict === undefined ? CREATE : probedOutcome(entry, conflict);
    const isSame = current.type === 'file' && current.digest === digestBytes(content.bytes) && current.mode === content.mode;
    if (isSame) return { kind: 'unchanged' };
  }
  return probedOutcome(entry, conflict);
}

/** The outcomes without details, shared by every target that has them. */
const CREATE: TargetOutcome = Object.freeze({ kind: 'create' });
const UNCHANGED: TargetOutcome = Object.freeze({ kind: 'unchanged' });

/** The outcome preflight's probe (and conflict settlement) gives a target. */
function probedOutcome(entry: PreflightEntry | undefined, conflict: Conflict | undefined): TargetOutcome {
  if (conflict !== undefined) return { kind: 'conflict', conflict };
  const outcome = entry?.outcome;
  if (outcome === undefined) return { kind: 'unknown', reason: entry?.unprobed ?? 'not probed' };
  switch (outcome.kind) {
    case 'create':
      return CREATE;
    case 'ok-already':
      return UNCHANGED;
    case 'replace':
      return { kind: 'replace', current: outcome.current, detail: outcome.detail ?? 'replaced' };
    case 'conflict':
      return { kind: 'unknown', reason: outcome.reason };
    default:
      return outcome satisfies never;
  }
}

/**
 * Runs the pure content nodes (render, decrypt) in dependency order, in memory, so templates
 * and secrets can be compared and diffed. A failure (no identity, a template error) is kept
 * as the node's value: the dry run shows it, `apply` would fail on it and roll back.
 */
async function previewContents(
  graph: Graph,
  actions: ReadonlyMap<string, Action>,
  data: Readonly<Record<string, unknown>>,
  signal: AbortSignal,
): Promise<Map<string, Buffer | Error>> {
  const results = new Map<string, Buffer | Error>();
  // A plan of links and copies has nothing to compute: skip ordering its whole graph.
  if (!hasContentNodes(graph)) return results;
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const id of new DependencyView(graph).topologicalOrder()) {
    const node = byId.get(id);
    const action = actions.get(id);
    if (node === undefined || action === undefined || !PURE_CONTENT_ACTIONS.has(node.action)) continue;
    try {
      const slots = fillSlotsFromData(resolveSlots(node, upstream(results)), data, [
        ...action.spec.required,
        ...(action.spec.optional ?? []),
      ]);
      const output = await action.do(readOnlyContext(id, data, signal), slots);
      results.set(id, Buffer.from(output.result as Uint8Array));
    } catch (error) {
      results.set(id, toError(error));
    }
  }
  return results;
}

/** Whether `graph` has render or decrypt nodes, whose content a prediction computes. */
function hasContentNodes(graph: Graph): boolean {
  return graph.nodes.some((node) => PURE_CONTENT_ACTIONS.has(node.action));
}

/** Upstream results without failed ones: a node fed by a failure fails to resolve (and says so). */
function upstream(results: ReadonlyMap<string, Buffer | Error>): Map<string, unknown> {
  const ok = new Map<string, unknown>();
  for (const [id, value] of results) if (!(value instanceof Error)) ok.set(id, value);
  return ok;
}

function readOnlyContext(nodeId: string, data: Readonly<Record<string, unknown>>, signal: AbortSignal): ActionContext {
  const refuse = (): never => {
    throw new WritLoreError('internal', `node "${nodeId}": a dry run cannot change anything`);
  };
  return {
    nodeId,
    signal,
    clock: systemClock,
    data,
    log: silentLog,
    get backups(): never {
      return refuse();
    },
    registerUndo: async () => refuse(),
  };
}

/** Why content could not be made, naming the file it is about (a missing identity file). */
function reasonOf(error: Error): string {
  const where = isWritLoreError(error) ? error.path : undefined;
  return where === undefined || error.message.includes(where) ? error.message : `${where}: ${error.message}`;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error));
}

function immediateMode(slot: Graph['nodes'][number]['slots'][string] | undefined): string | undefined {
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

const silentLog = { info: () => undefined, warn: () => undefined };

/** The caller's signal; without one, a signal that never aborts (one for the whole process). */
function signalOf(options: PredictOptions): AbortSignal {
  return options.signal ?? NEVER_ABORTED;
}

const NEVER_ABORTED = new AbortController().signal;
