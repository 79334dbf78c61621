import path from 'node:path';
import {
  CancelScope,
  FsMemo,
  checkPlanOutput,
  acquireRunLock,
  computeChecksum,
  errorMessage,
  graphToJson,
  runRecorded,
  type Graph,
  type GraphValidation,
  type PreflightOptions,
  type RunRecordedOptions,
  type RunReport,
  type RunSignal,
  WritLoreError,
} from '../../src/index.js';
import { EXIT, exitCodeForSignal } from '../exit-codes.js';
import type { Output } from '../output.js';
import { formatCount } from '../plural.js';
import type { CommandContext, Handler } from '../program.js';
import {
  conflictOptions,
  jobsOf,
  knownTargets,
  openSession,
  ownedRootsOf,
  planFromFlags,
  runDataFor,
  type WritFlags,
  type WritSession,
  WRIT_JSON_VERSION,
  warnInterrupted,
} from './context.js';
import { assertFresh, loadPlan, savePlanWithPreconditions } from './plan-file.js';
import { predictForRun, predictTargets, type RunPrediction, type TargetPrediction } from './predict.js';
import { progressHooks, summaryLine } from './progress.js';
import { countOutcomes, diffOf, predictionsJson, printPurchaseOrder, savedPlanView, type PurchaseOrderPlan } from './purchase-order.js';

/** Options of `writ apply`. */
export interface ApplyOptions extends WritFlags {
  readonly dryRun?: boolean;
  readonly diff?: boolean;
  readonly out?: string;
  readonly plan?: string;
}

/** `writ apply`: the purchase order (`--dry-run`), or preflight, the run and its receipt. */
export const handler: Handler<ApplyOptions> = async (ctx: CommandContext<ApplyOptions>) => {
  const { options } = ctx;
  // A dry run (or saving the plan) writes nothing anywhere, the state directory included.
  const session = openSession(ctx, { readOnly: options.dryRun === true || options.out !== undefined });
  jobsOf(options); // flags are checked before any work
  checkFlagCombinations(options, ctx.args);
  // A bad --out is refused before the purchase order is printed (or, with --json, made).
  if (options.out !== undefined) checkPlanOutput(options.out);
  await warnInterrupted(ctx.out, session.store);
  if (options.plan !== undefined) return options.dryRun === true ? previewSavedPlan(ctx, session, options.plan) : applySavedPlan(ctx, session, options.plan);
  const plan = planFromFlags(session, options, ctx.args);
  const graph = plan.graph;
  const data = runDataFor(session, graph, options);
  if (options.dryRun !== true && options.out === undefined) {
    return applyUnderLock(ctx, session, graph, data, { validation: 'validated-by-plan', listed: plan.sources.map((entry) => entry.source) });
  }
  const predictions = await preview(ctx, session, plan, data, computeChecksum(graph));
  if (options.out !== undefined) await saveTo(ctx.out, session, options.out, graph, predictions);
  return EXIT.ok;
};

/** The flags that build a plan: a saved plan is run as it was saved, so none of them may be given with --plan. */
const PLAN_FLAGS = [
  ['repo', '--repo'],
  ['layer', '--layer'],
  ['target', '--target'],
  ['system', '--system'],
  ['segment', '--segment'],
  ['out', '--out'],
] as const satisfies readonly (readonly [keyof ApplyOptions, string])[];

/** Refuses flags that would be silently ignored (exit 2, before anything is read or written). */
function checkFlagCombinations(options: ApplyOptions, projects: readonly string[]): void {
  if (options.diff === true && options.dryRun !== true) {
    throw new WritLoreError('invalid-input', '--diff only goes with --dry-run: a real apply does not print diffs', {
      hint: "add --dry-run to see the diffs first (or run 'writ diff')",
    });
  }
  if (options.plan === undefined) {
    if (options.requireSignature === true) {
      throw new WritLoreError('invalid-input', '--require-signature only goes with --plan FILE', { hint: 'a plan built from the repository now is not signed by anyone else' });
    }
    return;
  }
  const given: string[] = PLAN_FLAGS.filter(([name]) => options[name] !== undefined).map(([, flag]) => flag);
  if (projects.length > 0) given.unshift(`PROJECT arguments (${projects.join(' ')})`);
  if (given.length > 0) {
    throw new WritLoreError('invalid-input', `--plan runs the plan exactly as saved; ${given.join(', ')} cannot change it`, {
      hint: 'drop them, or build a new plan with them: writ apply --dry-run --out FILE …',
    });
  }
}

/** The purchase order (or, with --json, the plan and every prediction) of `plan`; writes nothing. */
async function preview(
  ctx: CommandContext<ApplyOptions>,
  session: WritSession,
  plan: PurchaseOrderPlan,
  data: Readonly<Record<string, unknown>>,
  checksum: string,
): Promise<TargetPrediction[]> {
  const { graph } = plan;
  const preflight = await preflightOptions(session, graph, conflictOptions(ctx.options, graph));
  const predictions = await predictTargets(graph, { registry: session.registry, data, preflight });
  if (ctx.out.isJson) {
    ctx.out.json({ version: WRIT_JSON_VERSION, checksum, plan: JSON.parse(graphToJson(graph)) as unknown, targets: predictionsJson(predictions), collisions: plan.collisions, skipped: plan.skipped ?? [] });
  } else if (ctx.out.options.quiet !== true) {
    // Under --quiet the purchase order (checksum, diffs) is not printed, so it is not made either.
    printPurchaseOrder(ctx.out, plan, predictions, checksum);
    if (ctx.options.diff === true) printDiffs(ctx.out, predictions);
  }
  return predictions;
}

/**
 * `writ apply --plan FILE --dry-run`: the saved plan verified and checked for drift as a run
 * would (exit 4 when stale), then its purchase order as the disk stands now; nothing written.
 */
async function previewSavedPlan(ctx: CommandContext<ApplyOptions>, session: WritSession, file: string): Promise<number> {
  const graph = await loadPlan(file, { keys: session.keys, requireSignature: ctx.options.requireSignature === true });
  await assertFresh(graph, file);
  await preview(ctx, session, savedPlanView(graph), runDataFor(session, graph, ctx.options), graph.checksum ?? computeChecksum(graph));
  return EXIT.ok;
}

async function preflightOptions(session: WritSession, graph: Graph, conflicts: ReturnType<typeof conflictOptions>): Promise<PreflightOptions> {
  return {
    ...conflicts,
    known: await knownTargets(session.store),
    ownedRoots: ownedRootsOf(graph),
  };
}

/**
 * Predicts and runs under one run lock, taken before the first probe: what the probes see then
 * still holds when the steps run (no other writ run can come between), so one look per target
 * serves the prediction, the conflict check and the step itself (the run's `FsMemo`).
 */
async function applyUnderLock(
  ctx: CommandContext<ApplyOptions>,
  session: WritSession,
  graph: Graph,
  data: Readonly<Record<string, unknown>>,
  { validation, listed = [] }: { readonly validation: GraphValidation; readonly listed?: readonly string[] },
): Promise<number> {
  const conflicts = conflictOptions(ctx.options, graph); // bad flags before the lock
  // SIGINT/SIGTERM cancel from before the lock is taken (preflight stops, the lock is released,
  // exit 130/143) instead of killing the process with the lock held; the run follows the same
  // scope.
  const cancel = new CancelScope({ onNote: (note) => ctx.out.warn(note) });
  try {
    const lock = await acquireRunLock(session.store.layout.lock, { tool: graph.tool, onNote: (note) => ctx.out.warn(note) });
    try {
      const prediction = await predictUnderLock(ctx, session, graph, data, conflicts, listed, cancel);
      if (prediction.unchanged !== undefined) return reportNothingToDo(ctx.out, prediction.unchanged);
      const run = { lock: false, probed: { report: prediction.report, memo: prediction.memo }, validation, signal: cancel.signal, handleSignals: false } as const;
      return await execute(ctx, session, graph, data, prediction.preflight, run, cancel);
    } finally {
      await lock.release();
    }
  } finally {
    cancel.dispose();
  }
}

/** Preflight under the lock; a signal received until it ends stops there, having changed nothing. */
async function predictUnderLock(
  ctx: CommandContext<ApplyOptions>,
  session: WritSession,
  graph: Graph,
  data: Readonly<Record<string, unknown>>,
  conflicts: ReturnType<typeof conflictOptions>,
  listed: readonly string[],
  cancel: CancelScope,
): Promise<RunPrediction & { readonly preflight: PreflightOptions; readonly memo: FsMemo }> {
  try {
    cancel.signal.throwIfAborted(); // a signal while the lock was being taken
    const preflight = await preflightOptions(session, graph, conflicts);
    const memo = new FsMemo();
    // The sources the plan was just built from need no second look (a saved plan lists none:
    // its sources are looked at).
    for (const source of listed) memo.noteListed(source);
    const prediction = await predictForRun(graph, { registry: session.registry, data, preflight, memo, signal: cancel.signal });
    return { ...prediction, preflight, memo };
  } catch (error) {
    cancel.notePreflightStop((note) => ctx.out.note(note));
    throw error;
  }
}

async function saveTo(out: Output, session: WritSession, file: string, graph: Graph, predictions: readonly TargetPrediction[]): Promise<void> {
  const saved = await savePlanWithPreconditions(file, graph, predictions, session.keys);
  out.note(`plan saved to ${file} (${saved.signed ? 'signed' : 'unsigned'}, checksum ${saved.checksum}); apply it with 'writ apply --plan ${file}'`);
}

/** Prints the unified diff of every target that would change. */
export function printDiffs(out: Output, predictions: readonly TargetPrediction[]): void {
  for (const prediction of predictions) {
    const text = diffOf(prediction);
    if (text === '') continue;
    for (const line of text.replace(/\n$/, '').split('\n')) out.line(colourDiffLine(out, line));
  }
}

function colourDiffLine(out: Output, line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return out.paint('bold', line);
  if (line.startsWith('+')) return out.paint('green', line);
  if (line.startsWith('-')) return out.paint('red', line);
  return line.startsWith('@@') ? out.paint('cyan', line) : line;
}

function reportNothingToDo(out: Output, predictions: readonly TargetPrediction[]): number {
  if (out.isJson) out.json({ version: WRIT_JSON_VERSION, state: 'unchanged', targets: predictions.length, receipt: null });
  else out.line(`nothing to do: ${upToDate(countOutcomes(predictions).unchanged)} (no receipt written)`, true);
  return EXIT.ok;
}

function upToDate(count: number): string {
  return count === 1 ? 'the 1 target is up to date' : `all ${formatCount(count, 'target')} are up to date`;
}

/**
 * `writ apply --plan FILE`: verify, check every precondition, then run exactly that plan, as a
 * normal apply does: `--conflict` and `--conflict-path` resolve what the plan left at `stop`
 * (a resolution saved in the plan wins over `--conflict`), and nothing to do writes no receipt.
 */
async function applySavedPlan(ctx: CommandContext<ApplyOptions>, session: WritSession, file: string): Promise<number> {
  const graph = await loadPlan(file, { keys: session.keys, requireSignature: ctx.options.requireSignature === true });
  await assertFresh(graph, file);
  return applyUnderLock(ctx, session, graph, runDataFor(session, graph, ctx.options), { validation: 'validate' });
}

async function execute(
  ctx: CommandContext<ApplyOptions>,
  session: WritSession,
  graph: Graph,
  data: Readonly<Record<string, unknown>>,
  preflight: PreflightOptions,
  run: Pick<RunRecordedOptions, 'lock' | 'probed' | 'validation' | 'signal' | 'handleSignals'>,
  cancel: CancelScope,
): Promise<number> {
  const { out } = ctx;
  const progress = progressHooks(out, graph);
  const started = performance.now();
  const jobs = jobsOf(ctx.options);
  let result;
  try {
    result = await runRecorded(graph, {
      store: session.store,
      registry: session.registry,
      data,
      preflight,
      ...run,
      hooks: [progress],
      onNote: (note) => out.warn(note),
      ...(jobs === undefined ? {} : { jobs }),
    });
  } finally {
    progress.end();
  }
  const seconds = (performance.now() - started) / 1000;
  const { report, receipt } = result;
  const file = path.basename(receipt.path);
  if (out.isJson) {
    out.json({ version: WRIT_JSON_VERSION, state: report.state, receipt: receipt.path, summary: report.graph.summary, errors: report.errors.map(errorMessage) });
  }
  // The run follows this command's scope (runRecorded handles no signal of its own).
  const cancelledBy = cancel.received;
  if (report.state === 'executed' && cancelledBy !== undefined) {
    // The signal came after the last step: the run is whole, and its receipt says so.
    out.warn(`${cancelledBy} came after the last step: the run is complete, nothing was rolled back`);
  }
  return report.state === 'executed' ? reportSuccess(out, report, file, seconds) : reportFailure(out, report, file, cancelledBy);
}

function reportSuccess(out: Output, report: RunReport, file: string, seconds: number): number {
  if (!out.isJson) out.line(summaryLine(report, file, seconds), true);
  return EXIT.ok;
}

function reportFailure(out: Output, report: RunReport, file: string, cancelledBy: RunSignal | undefined): number {
  for (const error of report.errors) out.error(error);
  for (const diagnostic of report.diagnostics) {
    if (diagnostic.kind === 'undo-failed' || diagnostic.kind === 'not-compensable') out.warn(`${diagnostic.node}: ${diagnostic.message}`);
  }
  switch (report.state) {
    case 'rolled_back':
      out.note(`rolled back: every change of this run was undone — receipt ${file}`);
      return cancelledBy === undefined ? EXIT.runFailed : exitCodeForSignal(cancelledBy);
    case 'interrupted':
      out.note(`rollback incomplete: see the errors above; once the cause is fixed, 'writ recover' finishes it — receipt ${file}`);
      return EXIT.rollbackIncomplete;
    case 'failed':
    case 'executed':
    case 'pending':
      out.note(`run ${report.state} — receipt ${file}`);
      return EXIT.runFailed;
    default:
      return report.state satisfies never;
  }
}
