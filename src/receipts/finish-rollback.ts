import type { ActionRegistry, Clock } from '../actions/index.js';
import type { Graph, Node, Tool } from '../graph/index.js';
import { runRecorded } from './run-recorded.js';
import type { ReceiptStore } from './store.js';
import { buildUndoPlan, type UndoPlanItem } from './undo-plan.js';

/*
 * A run whose rollback stopped because an undo failed ends `interrupted`: its receipt keeps the
 * undo state of every node left, and no journal remains for `recover` to replay. Finishing it
 * is an undo plan of those nodes, run and recorded like `writ rollback` (journalled, so a
 * killed finish is itself recovered). Its receipt says `operation: rollback`, `undo_of: STEM`,
 * which is how a later `recover` knows the run is finished.
 */

/** An `interrupted` run whose rollback no later run has finished. */
export interface UnfinishedRollback {
  readonly stem: string;
  readonly receipt: Graph;
  /** Its nodes still holding undo state that was not carried out, newest start first. */
  readonly nodes: readonly Node[];
}

/** The `interrupted` runs of `tool` whose rollback is unfinished, oldest first. */
export async function unfinishedRollbacks(store: ReceiptStore, tool: Tool): Promise<UnfinishedRollback[]> {
  const loaded: { stem: string; receipt: Graph }[] = [];
  for (const entry of await store.list({ tools: [tool] })) loaded.push({ stem: entry.stem, receipt: await store.load(entry.stem) });
  const finished = new Set(loaded.flatMap(({ receipt }) => finishedBy(receipt)));
  return loaded
    .filter(({ stem, receipt }) => receipt.state === 'interrupted' && receipt.context.settings?.['operation'] === undefined && !finished.has(stem))
    .map(({ stem, receipt }) => ({ stem, receipt, nodes: leftToUndo(receipt) }))
    .filter((run) => run.nodes.length > 0);
}

/** The stems a succeeded rollback receipt undid. */
function finishedBy(receipt: Graph): string[] {
  const settings = receipt.context.settings ?? {};
  if (settings['operation'] !== 'rollback' || receipt.state !== 'executed') return [];
  return (settings['undo_of'] ?? '').split(',');
}

function leftToUndo(receipt: Graph): Node[] {
  const isLeft = (node: Node): boolean =>
    node.undo !== undefined && node.undo !== null && (node.status === 'completed' || node.status === 'failed');
  return receipt.nodes.filter(isLeft).sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''));
}

/** Options of {@link finishRollback}. */
export interface FinishRollbackOptions {
  readonly store: ReceiptStore;
  /** Must know `receipt.undo` (register `undoReplayAction` with the store's backups). */
  readonly registry: ActionRegistry;
  readonly clock?: Clock;
  readonly onNote?: (message: string) => void;
}

/** What {@link finishRollback} did. */
export interface FinishedRollback {
  /** `executed`: every undo left is done; otherwise the finish was itself rolled back. */
  readonly state: Graph['state'];
  readonly undone: readonly string[];
  readonly failed: readonly { readonly node: string; readonly message: string }[];
  readonly receiptPath: string;
}

/**
 * Undoes the nodes an interrupted run left, newest first, as a recorded run. The caller holds
 * the run lock (this run does not take it).
 */
export async function finishRollback(run: UnfinishedRollback, options: FinishRollbackOptions): Promise<FinishedRollback> {
  const settings = { ...(run.receipt.context.settings ?? {}), operation: 'rollback', undo_of: run.stem };
  const items = run.nodes.map((node): UndoPlanItem => {
    const target = node.slots['path'];
    const path = target?.kind === 'immediate' && typeof target.value === 'string' ? target.value : undefined;
    return { node, stem: run.stem, ...(path === undefined ? {} : { path }) };
  });
  const plan = buildUndoPlan(items, {
    tool: run.receipt.tool,
    context: { ...run.receipt.context, settings },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const { report, receipt } = await runRecorded(plan, {
    store: options.store,
    registry: options.registry,
    lock: false,
    preflight: false,
    jobs: 1,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onNote === undefined ? {} : { onNote: options.onNote }),
  });
  const undoes = (node: Node): string => node.annotations?.['receipt.undoes'] ?? node.id;
  const isDone = report.state === 'executed';
  return {
    state: report.state,
    undone: isDone ? report.graph.nodes.filter((node) => node.status === 'completed').map(undoes) : [],
    failed: report.graph.nodes
      .filter((node) => node.status === 'failed')
      .map((node) => ({ node: undoes(node), message: node.error ?? 'failed' })),
    receiptPath: receipt.path,
  };
}
