import type { ExecutorHooks } from '../executor/index.js';
import type { Graph } from '../graph/index.js';
import type { DirectoryBackupStore } from '../actions/index.js';
import { backupStoreFor } from './backups.js';
import { Journal, type CommitMode } from './journal.js';
import { JOURNAL_FORMAT_VERSION } from './journal-records.js';
import { journalHooks, preRegistrationLines, type PreRegistration } from './journal-hooks.js';
import type { ReceiptStore } from './store.js';

/** A run being recorded: its reserved name, journal, backups and the hooks to pass the executor. */
export interface RecordedRun {
  readonly stem: string;
  readonly journal: Journal;
  readonly backups: DirectoryBackupStore;
  readonly hooks: ExecutorHooks;
  /** Writes the receipt for the run's final graph, then removes the journal. */
  finish(graph: Graph): Promise<{ stem: string; path: string; graph: Graph }>;
}

/** Options of {@link beginRecordedRun}. */
export interface BeginOptions {
  /** When the run starts (default: now). */
  readonly now?: Date;
  /**
   * The plan's checksum for the run-start record (default: the plan's own `checksum`, which a
   * saved plan always has). An in-memory plan without one is not hashed here: canonicalising a
   * 10k-node plan costs ~40 ms, and recovery does not need it.
   */
  readonly planChecksum?: string;
  /** How the journal commits undo registrations (default `adaptive`, see {@link CommitMode}). */
  readonly commit?: CommitMode;
  /**
   * Undo registrations to journal, durably, before the run starts: nodes whose probe predicted
   * the undo state they will register (see `ProbeOutcome.undo`). Recovery undoes them like any
   * registration (undo of a step that never acted changes nothing), and a node registering its
   * predicted state runs without waiting for a journal write.
   */
  readonly preRegistered?: readonly PreRegistration[];
}

/**
 * Reserves a receipt name for a run of `plan`, opens its journal (the first record is durable
 * before this resolves) and returns what the executor needs. Every run gets a receipt:
 * call `finish` with the executor's final graph whatever its state.
 *
 * @example
 * const run = await beginRecordedRun(store, plan);
 * const executor = new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks] });
 * const report = await executor.run(plan);
 * await run.finish(report.graph);
 */
export async function beginRecordedRun(store: ReceiptStore, plan: Graph, options: BeginOptions = {}): Promise<RecordedRun> {
  const startedAt = (options.now ?? new Date()).toISOString();
  const planChecksum = options.planChecksum ?? plan.checksum;
  const { stem, journal } = await store.reserve(plan, async (stem, journalPath) => ({
    stem,
    journal: await Journal.create(journalPath, {
      kind: 'run-start',
      v: JOURNAL_FORMAT_VERSION,
      run: stem,
      tool: plan.tool,
      timestamp: plan.timestamp,
      ...(planChecksum === undefined ? {} : { plan_checksum: planChecksum }),
      started_at: startedAt,
      pid: process.pid,
      platform: plan.platform,
      context: plan.context,
    }, options.commit === undefined ? {} : { commit: options.commit }),
  }));
  const preRegistered = options.preRegistered ?? [];
  if (preRegistered.length > 0) {
    for (const line of preRegistrationLines(preRegistered)) journal.appendJson(line);
    await journal.sync();
  }
  return {
    stem,
    journal,
    backups: backupStoreFor(store.layout, stem),
    hooks: journalHooks(journal, preRegistered),
    finish: async (graph) => {
      await journal.close();
      const written = await store.write(graph, { stem });
      await journal.remove();
      return written;
    },
  };
}
