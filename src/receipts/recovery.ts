import fs from 'node:fs/promises';
import os from 'node:os';
import { lstatOrUndefined, type Action, type ActionContext, type ActionLogger, type ActionRegistry, type Clock } from '../actions/index.js';
import { systemClock } from '../executor/index.js';
import {
  GRAPH_FORMAT_VERSION,
  WritLoreError,
  errorMessage,
  type Graph,
  type GraphState,
  type Node,
} from '../graph/index.js';
import { backupStoreFor } from './backups.js';
import { finishRollback, unfinishedRollbacks, type UnfinishedRollback } from './finish-rollback.js';
import { Journal, readJournal } from './journal.js';
import { parseReceiptName, stemOf } from './names.js';
import { pendingUndos, replayJournal, type ReplayedNode, type ReplayedRun } from './replay.js';
import { acquireRunLock } from './lock.js';
import type { ReceiptStore } from './store.js';

/** Where recovery finds actions by name (the ActionRegistry implements it). */
export interface UndoSource {
  get(name: string): Action | undefined;
}

/** Options of {@link recover}. */
export interface RecoverOptions {
  readonly store: ReceiptStore;
  readonly actions: UndoSource;
  /** Default: the wall clock. */
  readonly clock?: Clock;
  readonly log?: ActionLogger;
  /** Run data handed to undo (rarely needed: undo state is self-contained). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Cancels between undos; what is left stays journalled for the next recovery. */
  readonly signal?: AbortSignal;
  /** Called after each undo (progress). */
  readonly onUndo?: (node: ReplayedNode, outcome: 'compensated' | 'not-compensable' | 'failed') => void;
}

/** What {@link recover} did. */
export interface RecoveryReport {
  readonly stem: string;
  /**
   * `already-recorded` when the receipt existed (the journal was only left behind); `finished`
   * for a run whose receipt said `interrupted` (an undo had failed) and whose undos left were
   * now carried out by a new recorded run (its receipt is `receiptPath`).
   */
  readonly outcome: 'recovered' | 'already-recorded' | 'finished';
  readonly state: GraphState;
  readonly undone: readonly string[];
  readonly failed: readonly { readonly node: string; readonly message: string }[];
  readonly receiptPath: string;
}

const silentLog: ActionLogger = { info: () => undefined, warn: () => undefined };

/**
 * Rolls back an interrupted run from its journal alone: every registered, not yet compensated
 * effect is undone in reverse order (each undo journalled as it completes), then a receipt is
 * written (`rolled_back`, or `interrupted` if an undo failed: the receipt keeps their undo
 * state) and the journal removed. Idempotent: a second call, or a call after a recovery that
 * was itself killed, ends in the same place. Take the run lock before calling.
 */
export async function recover(journalPath: string, options: RecoverOptions): Promise<RecoveryReport> {
  const stem = stemOf(journalPath);
  const { store } = options;
  const receiptPath = store.pathOf(stem);
  if (lstatOrUndefined(receiptPath) !== undefined) {
    await fs.unlink(journalPath);
    const graph = await store.load(stem);
    return { stem, outcome: 'already-recorded', state: graph.state, undone: [], failed: [], receiptPath };
  }
  const run = replayJournal((await readJournal(journalPath)).records);
  const journal = await Journal.openForAppend(journalPath);
  const undone: string[] = [];
  const failed: { node: string; message: string }[] = [];
  try {
    for (const node of pendingUndos(run)) {
      options.signal?.throwIfAborted();
      const outcome = await undoOne(node, stem, options);
      node.compensation = outcome.kind;
      if (outcome.kind === 'failed') {
        node.compensationError = outcome.message;
        failed.push({ node: node.key, message: outcome.message });
      } else undone.push(node.key);
      journal.append({ kind: 'compensation-done', node: node.node, status: outcome.kind,
        ...(outcome.kind === 'compensated' ? {} : { error: outcome.message }),
        ...(node.iteration === undefined ? {} : { iteration: node.iteration }) });
      // Written (a kill loses nothing) but not synced one by one: losing it to a machine crash
      // only means undoing this node again, which changes nothing. `close` syncs them all.
      journal.flush();
      options.onUndo?.(node, outcome.kind);
    }
  } finally {
    await journal.close();
  }
  const state: GraphState = failed.length === 0 ? 'rolled_back' : 'interrupted';
  const graph = recoveredGraph(run, stem, state, (options.clock ?? systemClock).now());
  await store.write(graph, { stem });
  await journal.remove();
  return { stem, outcome: 'recovered', state, undone, failed, receiptPath };
}

/** Options of {@link recoverInterrupted}. */
export interface RecoverAllOptions extends RecoverOptions {
  /** The tool taking the run lock (named to anyone else who wants it). */
  readonly tool: string;
  /** Notes such as a stale lock being cleared. */
  readonly onNote?: (message: string) => void;
  /**
   * With it (it must know `receipt.undo`), runs of `tool` whose receipt says `interrupted` are
   * finished too: the undos they left are run as a recorded rollback.
   */
  readonly registry?: ActionRegistry;
}

/**
 * Takes the run lock (a live run holding it is a `locked` error, which also protects that run's
 * journal) and recovers every journal left in the state dir, oldest first; with `registry`,
 * then finishes the rollback of every run of `tool` left `interrupted`.
 *
 * @example
 * const reports = await recoverInterrupted({ store, actions: registry, tool: 'writ' });
 */
export async function recoverInterrupted(options: RecoverAllOptions): Promise<RecoveryReport[]> {
  const lock = await acquireRunLock(options.store.layout.lock, {
    tool: options.tool,
    ...(options.onNote === undefined ? {} : { onNote: options.onNote }),
  });
  try {
    const reports: RecoveryReport[] = [];
    for (const journal of await options.store.journals()) reports.push(await recover(journal, options));
    const { registry, tool } = options;
    if (registry === undefined || (tool !== 'writ' && tool !== 'lore')) return reports;
    for (const run of await unfinishedRollbacks(options.store, tool)) reports.push(await finish(run, registry, options));
    return reports;
  } finally {
    await lock.release();
  }
}

async function finish(run: UnfinishedRollback, registry: ActionRegistry, options: RecoverAllOptions): Promise<RecoveryReport> {
  const done = await finishRollback(run, {
    store: options.store,
    registry,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onNote === undefined ? {} : { onNote: options.onNote }),
  });
  const state: GraphState = done.state === 'executed' ? 'rolled_back' : 'interrupted';
  return { stem: run.stem, outcome: 'finished', state, undone: done.undone, failed: done.failed, receiptPath: done.receiptPath };
}

type UndoOutcome =
  | { readonly kind: 'compensated' }
  | { readonly kind: 'not-compensable' | 'failed'; readonly message: string };

async function undoOne(node: ReplayedNode, stem: string, options: RecoverOptions): Promise<UndoOutcome> {
  const action = options.actions.get(node.action);
  if (action === undefined) return { kind: 'failed', message: `unknown action "${node.action}": cannot undo` };
  if (action.undo === undefined || node.undo === undefined) {
    return { kind: 'not-compensable', message: `${node.action} cannot undo` };
  }
  const ctx: ActionContext = {
    nodeId: node.node,
    signal: options.signal ?? new AbortController().signal,
    clock: options.clock ?? systemClock,
    data: options.data ?? {},
    log: options.log ?? silentLog,
    backups: backupStoreFor(options.store.layout, stem),
    // Undo never registers new undo state; a call here is ignored on purpose.
    registerUndo: () => Promise.resolve(),
  };
  try {
    await action.undo(ctx, node.undo);
    return { kind: 'compensated' };
  } catch (error) {
    if (error instanceof WritLoreError && error.code === 'not-compensable') {
      return { kind: 'not-compensable', message: error.message };
    }
    return { kind: 'failed', message: errorMessage(error) };
  }
}

/** The receipt of a recovered run, built from the journal (no plan file needed). */
function recoveredGraph(run: ReplayedRun, stem: string, state: GraphState, now: Date): Graph {
  const named = parseReceiptName(stem);
  const start = run.start;
  const tool = start?.tool ?? named?.tool;
  const timestamp = start?.timestamp ?? named?.timestamp;
  if (tool === undefined || timestamp === undefined) {
    throw new WritLoreError('invalid-input', `cannot tell which tool wrote journal ${stem}`, {
      hint: 'journal names look like writ-2026-11-01T12-00-00-000Z.journal',
    });
  }
  const nodes: Node[] = run.nodes.map((node) => recoveredNode(node, now));
  return {
    version: GRAPH_FORMAT_VERSION,
    tool,
    timestamp,
    state,
    platform: start?.platform ?? { os: os.platform(), arch: os.arch() },
    context: start?.context ?? {},
    nodes,
    edges: [],
  };
}

function recoveredNode(node: ReplayedNode, now: Date): Node {
  const isUndone = node.compensation === 'compensated';
  const isPending = node.compensation === 'failed' || node.compensation === 'not-compensable';
  const error = isPending ? node.compensationError : node.error;
  return {
    id: node.key,
    action: node.action,
    status: isUndone ? 'compensated' : node.status === 'running' ? 'failed' : node.status,
    slots: node.target === undefined ? {} : { path: { kind: 'immediate', value: node.target } },
    annotations: { recovered: 'from journal' },
    finished_at: now.toISOString(),
    ...(error === undefined ? {} : { error }),
    // Kept only while something is left to undo, so the receipt alone can finish the job.
    ...(isPending && node.undo !== undefined ? { undo: node.undo } : {}),
  };
}

