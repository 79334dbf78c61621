import { UNDO_REPLAY_ACTION, type ActionRegistry, type Clock } from '../actions/index.js';
import { errorMessage } from '../graph/index.js';
import type { GraphContext, GraphState } from '../graph/index.js';
import { buildUndoPlan, runRecorded, type ReceiptStore, type UndoPlanItem } from '../receipts/index.js';
import { assertUndoConfined } from './undo-confine.js';
import { WRIT_UNDO_OF, targetPath, unwindingOrder, type UndoItem } from './deployments.js';

/** Which writ operation an undo is: `rollback` undoes one run, `remove` some projects. */
export type UndoOperation = 'rollback' | 'remove';

/** Options of {@link runUndo}. */
export interface RunUndoOptions {
  readonly store: ReceiptStore;
  /** Must know `receipt.undo` (register `undoReplayAction` with the store's backups). */
  readonly registry: ActionRegistry;
  readonly operation: UndoOperation;
  /** The context of the receipt written (the undone run's); `operation` and `undo_of` are added. */
  readonly context: GraphContext;
  /** Items already undone by hand, recorded as skipped. */
  readonly alreadyUndone?: ReadonlySet<UndoItem>;
  /** Drifted items to undo anyway (`--force`): what is there now is moved to this run's backups first. */
  readonly displace?: ReadonlySet<UndoItem>;
  readonly clock?: Clock;
  readonly onNote?: (message: string) => void;
}

/** What {@link runUndo} did. */
export interface UndoOutcome {
  readonly receipt: { readonly stem: string; readonly path: string };
  /** `executed` when every undo succeeded; `rolled_back` when one failed and the others were put back. */
  readonly state: GraphState;
  readonly undone: readonly string[];
  readonly failed: readonly { readonly path: string; readonly message: string }[];
}

/**
 * Undoes `items` (newest run first, reverse start order within one) as a recorded run: an undo
 * plan of `receipt.undo` nodes run by `runRecorded` under the run lock, journalled (a killed
 * undo is finished by `writ recover`, which puts back what it had undone) and ending in a
 * receipt whose completed nodes tell {@link foldDeployments} the paths are no longer writ's.
 * One undo failing compensates the others: the target stays as the undone run left it.
 */
export async function runUndo(items: readonly UndoItem[], options: RunUndoOptions): Promise<UndoOutcome> {
  await assertUndoConfined(options.store, items);
  const stems = [...new Set(items.map((item) => item.stem))];
  const settings = { ...(options.context.settings ?? {}), operation: options.operation, undo_of: stems.join(',') };
  const planItems = unwindingOrder(items).map((item): UndoPlanItem => planItem(item, options));
  const plan = buildUndoPlan(planItems, {
    tool: 'writ',
    context: { ...options.context, settings },
    undoOfAnnotation: WRIT_UNDO_OF,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const { report, receipt } = await runRecorded(plan, {
    store: options.store,
    registry: options.registry,
    preflight: false,
    jobs: 1,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.onNote === undefined ? {} : { onNote: options.onNote }),
  });
  const replays = report.graph.nodes.filter((node) => node.action === UNDO_REPLAY_ACTION);
  const pathOf = (node: (typeof replays)[number]): string => targetPath(node) ?? node.id;
  return {
    receipt: { stem: receipt.stem, path: receipt.path },
    state: report.state,
    undone: report.state === 'executed' ? replays.filter((node) => node.status === 'completed').map(pathOf) : [],
    failed: replays.filter((node) => node.status === 'failed').map((node) => ({ path: pathOf(node), message: node.error ?? failure(report.errors) })),
  };
}

function planItem(item: UndoItem, options: RunUndoOptions): UndoPlanItem {
  const path = targetPath(item.node);
  return {
    node: item.node,
    stem: item.stem,
    ...(path === undefined ? {} : { path }),
    ...(options.displace?.has(item) === true ? { displace: true } : {}),
    ...(options.alreadyUndone?.has(item) === true ? { skip: 'already undone on disk' } : {}),
  };
}

function failure(errors: readonly Error[]): string {
  return errors.map((error) => errorMessage(error)).join('; ') || 'failed';
}
