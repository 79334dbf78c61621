import path from 'node:path';
import { WritLoreError, type Graph } from '../graph/index.js';
import { assertWritConfined } from '../plan/index.js';
import type { ReceiptStore } from '../receipts/index.js';
import { targetPath, type UndoItem } from './deployments.js';
import { checkUndoItem, restoresLeftBehind } from './undo-check.js';

/** A writ run chosen for rollback, and its completed nodes that changed something. */
export interface RollbackTarget {
  readonly stem: string;
  readonly receipt: Graph;
  readonly items: readonly UndoItem[];
}

/**
 * The run `writ rollback NAME` undoes: `latest` is the newest deployment not rolled back yet; a
 * receipt name must be a deployment that no succeeded rollback has undone.
 */
export async function findRollbackTarget(store: ReceiptStore, name: string): Promise<RollbackTarget> {
  const stem = await resolveReceipt(store, name);
  const receipt = await store.load(stem);
  await refuseUndone(store, stem, receipt);
  const items = receipt.nodes.filter((node) => node.status === 'completed' && node.undo !== undefined).map((node) => ({ node, stem }));
  assertWritConfined(receipt, items.map((item) => item.node), store.pathOf(stem));
  return { stem, receipt, items };
}

/** The stems a succeeded rollback receipt undid (none for any other receipt). */
function rolledBackBy(graph: Graph): string[] {
  const settings = graph.context.settings ?? {};
  // A rollback whose own undo failed was compensated: it undid nothing.
  if (settings['operation'] !== 'rollback' || graph.state !== 'executed') return [];
  return (settings['undo_of'] ?? '').split(',');
}

async function resolveReceipt(store: ReceiptStore, name: string): Promise<string> {
  const entries = await store.list({ tools: ['writ'] });
  if (name !== 'latest') {
    const stem = path.basename(name).replace(/\.yaml$/, '');
    if (!entries.some((entry) => entry.stem === stem)) {
      throw new WritLoreError('not-found', `no writ receipt ${stem} in ${store.layout.receipts}`, { hint: "list them with 'receipts view --tool writ'" });
    }
    return stem;
  }
  const undone = new Set<string>();
  for (const entry of [...entries].reverse()) {
    const graph = await store.load(entry.stem);
    for (const stem of rolledBackBy(graph)) undone.add(stem);
    const isDeployment = (graph.state === 'executed' || graph.state === 'failed') && graph.context.settings?.['operation'] === undefined;
    if (isDeployment && !undone.has(entry.stem)) return entry.stem;
  }
  throw new WritLoreError('not-found', 'no writ run to roll back', { hint: "list receipts with 'receipts view --tool writ'" });
}

/** A run already rolled back (by the executor, or by a later rollback) is not undone twice. */
async function refuseUndone(store: ReceiptStore, stem: string, receipt: Graph): Promise<void> {
  if (receipt.state === 'rolled_back' || receipt.context.settings?.['operation'] !== undefined) {
    throw new WritLoreError('invalid-input', `${stem} is not a deployment that can be rolled back (state ${receipt.state})`);
  }
  for (const entry of await store.list({ tools: ['writ'] })) {
    if (entry.stem <= stem) continue;
    if (rolledBackBy(await store.load(entry.stem)).includes(stem)) {
      throw new WritLoreError('invalid-input', `${stem} was already rolled back by ${entry.stem}`);
    }
  }
}

/** The items of an undo sorted by how their targets compare with the disk. */
export interface UndoSelection {
  readonly chosen: readonly UndoItem[];
  readonly alreadyUndone: ReadonlySet<UndoItem>;
  readonly displace: ReadonlySet<UndoItem>;
  /** Drifted targets, `PATH: left as X, now Y`: refused (rollback) or kept (remove) without force. */
  readonly drifted: readonly string[];
  /**
   * Paths whose state between two runs (a copy edited, then replaced by the later run) differs
   * from what the earlier run left: it is not restored but moved into the undo's backups.
   */
  readonly superseded: readonly string[];
}

/** Options of {@link selectUndo}. */
export interface SelectUndoOptions {
  /** Undo drifted targets too, moving what is there now aside first (default false). */
  readonly force?: boolean;
}

/**
 * Checks the newest item of each stack against the disk. A stack is a path deployed by one or
 * more runs (oldest first); it is undone whole, newest first, so what was there before writ
 * came back. A drifted stack is left out unless `force`. Only the newest entry is held to the
 * disk: what a later run replaced (writ's own earlier output, perhaps edited) is an
 * intermediate state, so an older entry whose output changed before the later run replaced it
 * is undone with `displace` (that state goes to the undo's backups, listed in `superseded`)
 * instead of failing as drifted.
 */
export async function selectUndo(stacks: readonly (readonly UndoItem[])[], options: SelectUndoOptions = {}): Promise<UndoSelection> {
  const chosen: UndoItem[] = [];
  const alreadyUndone = new Set<UndoItem>();
  const displace = new Set<UndoItem>();
  const drifted: string[] = [];
  const superseded: string[] = [];
  for (const stack of stacks) {
    const newest = stack.at(-1);
    if (newest === undefined) continue;
    const check = await checkUndoItem(newest);
    if (check.kind === 'drifted') drifted.push(`${check.path}: left as ${check.expected}, now ${check.now}`);
    if (check.kind === 'drifted' && options.force !== true) continue;
    if (check.kind === 'already-undone') alreadyUndone.add(newest);
    if (check.kind === 'drifted') displace.add(newest);
    chosen.push(...stack);
    const replaced = stack.slice(0, -1).filter((item, index) => !restoresLeftBehind(item, stack[index + 1] ?? item));
    for (const item of replaced) displace.add(item);
    if (replaced.length > 0) superseded.push(targetPath(newest.node) ?? newest.node.id);
  }
  return { chosen, alreadyUndone, displace, drifted, superseded };
}
