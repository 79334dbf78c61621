import path from 'node:path';
import type { ActionLogger, ActionRegistry, Clock } from '../actions/index.js';
import { FsMemo, hydrate } from '../actions/index.js';
import {
  GraphExecutor,
  applyPreflight,
  runPreflight,
  systemClock,
  type ExecutorHooks,
  type FailurePolicy,
  type GraphValidation,
  type PreflightOptions,
  type PreflightReport,
  type RunReport,
} from '../executor/index.js';
import { WritLoreError, type Graph } from '../graph/index.js';
import type { JournalStats } from './journal.js';
import { acquireRunLock, type RunLock } from './lock.js';
import { parseReceiptName } from './names.js';
import { preRegister, type PreRegistration } from './journal-hooks.js';
import { CancelScope, type RunSignal } from './cancel-scope.js';
import { beginRecordedRun, type RecordedRun } from './session.js';
import type { ReceiptStore } from './store.js';

export { RUN_SIGNALS, type RunSignal } from './cancel-scope.js';

/** Options of {@link runRecorded}. */
export interface RunRecordedOptions {
  /** Where the receipt, journal and backups go (its key store signs the receipt when it has a key). */
  readonly store: ReceiptStore;
  /** The actions the plan names. */
  readonly registry: ActionRegistry;
  /** Take the run lock `<state>/lock` for the run (default true; false only for a caller that holds it). */
  readonly lock?: boolean;
  /** Conflict detection before the first change (default: `{}`, i.e. resolution `stop`); `false` skips it. */
  readonly preflight?: PreflightOptions | false;
  /**
   * A preflight of this very plan that the caller ran while holding the run lock (so with
   * `lock: false`), and the memo its probes filled: applied as is instead of probing again.
   */
  readonly probed?: ProbedPlan;
  /** Executor: nodes running at once (default: the machine's parallelism). */
  readonly jobs?: number;
  /** Executor: what a failing node does to a flat run (default `rollback`). */
  readonly policy?: FailurePolicy;
  /** Executor: `validated-by-plan` when `plan` is unchanged from `Plan.graph()` (see {@link GraphValidation}). */
  readonly validation?: GraphValidation;
  /** Executor: run data filling slots the nodes leave unset (template variables, identities…). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Time and sleeping (default: the wall clock). */
  readonly clock?: Clock;
  /** Cancels the run (the executor then compensates; the receipt says so). */
  readonly signal?: AbortSignal;
  /** The caller's observers (progress display), called after the journal's. */
  readonly hooks?: readonly ExecutorHooks[];
  /** Where action log lines go. */
  readonly log?: ActionLogger;
  /** Install SIGINT/SIGTERM handlers for the duration of the run (default true). */
  readonly handleSignals?: boolean;
  /** Told about a stale lock being cleared, or a signal received. */
  readonly onNote?: (message: string) => void;
}

/** A preflight report made under the run lock, with what its probes saw (see {@link FsMemo}). */
export interface ProbedPlan {
  readonly report: PreflightReport;
  readonly memo: FsMemo;
}

/** The receipt written for a run. */
export interface WrittenReceipt {
  readonly stem: string;
  readonly path: string;
  readonly graph: Graph;
}

/** What {@link runRecorded} returns: the executor's report, the receipt and what preflight saw. */
export interface RecordedRunResult {
  readonly report: RunReport;
  readonly receipt: WrittenReceipt;
  /** Undefined when preflight was turned off. */
  readonly preflight: PreflightReport | undefined;
  /** The signal that cancelled the run, when one did (the CLIs exit 128 + its number). */
  readonly cancelledBy?: RunSignal;
  /** What the run's journal did: writes, commits, fdatasyncs (diagnostics, benchmarks). */
  readonly journal: JournalStats;
}

/**
 * Runs `plan` with everything a trustworthy run needs, in this order:
 *
 * 1. takes the run lock (a live holder is a `locked` error; a dead one's lock is cleared);
 * 2. refuses to start while an interrupted run's journal is waiting for `recover`;
 * 3. runs preflight: a conflict resolved `stop` throws the `ConflictError` listing every
 *    conflict. At that point nothing has run and nothing was written (no journal, no receipt,
 *    no backup): the only trace is the lock, which is released;
 * 4. opens the journal (and the run's backup directory `<state>/backups/<stem>/`) and runs the
 *    executor with the journal's hooks, then the caller's;
 * 5. writes the receipt — for every run that started: `executed`, `failed`, `rolled_back` or
 *    `interrupted` — and removes the journal;
 * 6. releases the lock and the signal handlers, whatever happened.
 *
 * SIGINT/SIGTERM during the run abort its signal: the executor stops scheduling, kills child
 * process trees and compensates, and the receipt says `rolled_back` (or `interrupted` when an
 * undo failed). A second signal does not kill the process mid-compensation: it is reported
 * through `onNote` and otherwise ignored, because stopping half-way through an undo would leave
 * the target in neither state. If the process is killed anyway (SIGKILL), the journal stays and
 * `writ recover` / `lore recover` finishes the rollback.
 *
 * @example
 * const { report, receipt } = await runRecorded(plan, { store, registry, data: writRunData(plan) });
 * console.log(report.state, receipt.path);
 */
export async function runRecorded(plan: Graph, options: RunRecordedOptions): Promise<RecordedRunResult> {
  const clock = options.clock ?? systemClock;
  // Signals are handled from before the lock is taken: one arriving meanwhile cancels, and the
  // lock is released below, instead of a killed process leaving it behind.
  const cancel = new CancelScope(options);
  let lock: RunLock | undefined;
  try {
    lock = options.lock === false ? undefined : await takeLock(plan, options, clock);
    cancel.signal.throwIfAborted();
    await refuseInterrupted(options.store, plan);
    const probed = await checkConflicts(plan, options, clock, cancel.signal).catch((error: unknown) => {
      cancel.notePreflightStop(options.onNote);
      throw error;
    });
    const preflight = probed?.report;
    cancel.signal.throwIfAborted();
    const run = await beginRecordedRun(options.store, plan, { now: clock.now(), preRegistered: preRegistrations(probed) });
    const report = await execute(plan, run, { ...options, ...(probed === undefined ? {} : { probed }) }, clock, cancel.signal);
    const receipt = await run.finish(report.graph);
    const journal = run.journal.stats;
    return { report, receipt, preflight, journal, ...(cancel.received === undefined ? {} : { cancelledBy: cancel.received }) };
  } finally {
    cancel.dispose();
    await lock?.release();
  }
}

async function takeLock(plan: Graph, options: RunRecordedOptions, clock: Clock): Promise<RunLock> {
  return acquireRunLock(options.store.layout.lock, {
    tool: plan.tool,
    clock,
    ...(options.onNote === undefined ? {} : { onNote: options.onNote }),
  });
}

/** A journal seen under the lock belongs to a run that died: its effects must be undone first. */
async function refuseInterrupted(store: ReceiptStore, plan: Graph): Promise<void> {
  const [journal] = await store.journals();
  if (journal === undefined) return;
  const name = path.basename(journal);
  throw new WritLoreError('locked', `an interrupted run (${name}) has not been recovered; nothing was changed`, {
    path: journal,
    // The journal's own tool recovers it (its receipt, hooks and notes are that tool's).
    hint: `run '${parseReceiptName(journal)?.tool ?? plan.tool} recover' to roll it back first`,
  });
}

async function checkConflicts(
  plan: Graph,
  options: RunRecordedOptions,
  clock: Clock,
  signal: AbortSignal,
): Promise<ProbedPlan | undefined> {
  if (options.preflight === false) return undefined;
  if (options.probed !== undefined) {
    applyPreflight(plan, options.probed.report);
    return options.probed;
  }
  // Under the lock: what these probes see is still true when the steps run (the memo).
  const memo = new FsMemo();
  const actions = hydrate(plan, options.registry);
  const ctx = { nodeId: '', signal, clock, data: options.data ?? {}, log: options.log ?? silentLog, memo };
  return { report: await runPreflight(plan, actions, ctx, options.preflight ?? {}), memo };
}

/**
 * The undo states preflight predicted for steps that will find their target as it did: those
 * whose path the run's memo still holds free (the memo forgets them all when some step could
 * fill another's path first, and then nothing is pre-registered).
 *
 * Recovery undoes in reverse order of first registration, so pre-registered steps are undone
 * after every step that registered while running, and among themselves in reverse plan order.
 * That order is only sure to be right for steps no other step writes beneath: a step whose
 * path lies inside another step's path (a link into a directory a `file.mkdir` makes) is left
 * to register as it runs, after the step it depends on, as without pre-registration.
 */
function preRegistrations(probed: ProbedPlan | undefined): PreRegistration[] {
  if (probed === undefined) return [];
  const { report, memo } = probed;
  const candidates: PreRegistration[] = [];
  for (const { outcome, path: target, node, action } of report.entries) {
    if (outcome?.kind !== 'create' || outcome.undo === undefined || target === undefined || !memo.isFree(target)) continue;
    candidates.push(preRegister(node, action, outcome.undo, target));
  }
  if (candidates.length === 0) return [];
  const inside = stepsInsideOthers(candidates, report.entries);
  return inside === undefined ? candidates : candidates.filter((candidate) => !inside.has(candidate));
}

/**
 * The candidates whose path lies inside another step's path, or undefined when there are none
 * (the usual case). The directories above the candidates are few (a dotfiles tree has
 * hundreds of directories for thousands of files): they are collected first, and each step's
 * path looked up among them, so no set of every step's path is built.
 */
function stepsInsideOthers(
  candidates: readonly PreRegistration[],
  entries: PreflightReport['entries'],
): Set<PreRegistration> | undefined {
  const ancestors = new Set<string>();
  for (const { target } of candidates) {
    for (let dir = path.dirname(target); !ancestors.has(dir); dir = path.dirname(dir)) {
      ancestors.add(dir);
      if (path.dirname(dir) === dir) break;
    }
  }
  const written = new Set<string>();
  for (const entry of entries) if (entry.path !== undefined && ancestors.has(entry.path)) written.add(entry.path);
  if (written.size === 0) return undefined;
  const inside = new Set<PreRegistration>();
  for (const candidate of candidates) {
    for (let dir = path.dirname(candidate.target); ; dir = path.dirname(dir)) {
      if (written.has(dir)) {
        inside.add(candidate);
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return inside;
}

async function execute(
  plan: Graph,
  run: RecordedRun,
  options: RunRecordedOptions,
  clock: Clock,
  signal: AbortSignal,
): Promise<RunReport> {
  const executor = new GraphExecutor(options.registry, {
    backups: run.backups,
    hooks: [run.hooks, ...(options.hooks ?? [])],
    clock,
    signal,
    ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.data === undefined ? {} : { data: options.data }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.probed === undefined ? {} : { memo: options.probed.memo }),
    ...(options.validation === undefined ? {} : { validation: options.validation }),
  });
  try {
    // Nodes preflight resolved `skip` are already `skipped`: the executor leaves them (and what
    // depends on them) out of the run and keeps them in the receipt.
    return await executor.run(plan);
  } catch (error) {
    // The executor validates before its first hook, so a throw means nothing ran: the journal
    // holds only its start record, and leaving it would block the next run for no reason.
    await run.journal.close();
    await run.journal.remove();
    throw error;
  }
}

const silentLog: ActionLogger = { info: () => undefined, warn: () => undefined };
