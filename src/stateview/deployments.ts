import type { Graph, Node } from '../graph/index.js';
import { UNDO_REPLAY_ACTION, type ReceiptStore } from '../receipts/index.js';

/** The annotation naming, on a node of a rollback or remove receipt, the run whose node it undid. */
export const WRIT_UNDO_OF = 'writ.undo_of';

/** A completed node of a past run that changed its target, with the receipt it belongs to. */
export interface UndoItem {
  readonly node: Node;
  readonly stem: string;
}

/** What the writ receipts say is deployed now. */
export interface Deployments {
  /** Per target path, every run that placed something there since writ last gave it up, oldest first. */
  readonly stacks: ReadonlyMap<string, readonly UndoItem[]>;
  /** The newest deployment receipt (not a rollback or remove), for its layers, target and context. */
  readonly latest: Graph | undefined;
}

/**
 * Folds the writ receipts, oldest first. A deployment's completed file node that changed its
 * target pushes onto that path's stack; a rollback or remove receipt's completed (or skipped:
 * already undone on disk) `receipt.undo` node, which names the run it undid in `writ.undo_of`,
 * pops that run's entry. Receipts written before undo plans (file nodes marked `compensated`)
 * pop the same way. A replay compensated by its own run's rollback put the path back: no pop.
 */
export async function foldDeployments(store: ReceiptStore): Promise<Deployments> {
  const stacks = new Map<string, UndoItem[]>();
  let latest: Graph | undefined;
  for (const entry of await store.list({ tools: ['writ'] })) {
    const receipt = await store.load(entry.stem);
    const isUndo = receipt.context.settings?.['operation'] !== undefined;
    if (!isUndo) latest = receipt;
    for (const node of receipt.nodes) {
      const target = targetPath(node);
      if (target === undefined) continue;
      if (isUndo && releases(node)) pop(stacks, target, node.annotations?.[WRIT_UNDO_OF]);
      if (!isUndo && node.action.startsWith('file.') && node.status === 'completed' && node.undo !== undefined) {
        push(stacks, target, { node, stem: entry.stem });
      }
    }
  }
  return { stacks, latest };
}

/** Whether a node of an undo receipt gave its path up. */
function releases(node: Node): boolean {
  if (node.action === UNDO_REPLAY_ACTION) return node.status === 'completed' || node.status === 'skipped';
  return node.action.startsWith('file.') && node.status === 'compensated';
}

function push(stacks: Map<string, UndoItem[]>, target: string, item: UndoItem): void {
  const stack = stacks.get(target);
  if (stack === undefined) stacks.set(target, [item]);
  else stack.push(item);
}

function pop(stacks: Map<string, UndoItem[]>, target: string, undoneStem: string | undefined): void {
  const stack = stacks.get(target)?.filter((item) => undoneStem !== undefined && item.stem !== undoneStem) ?? [];
  if (stack.length === 0) stacks.delete(target);
  else stacks.set(target, stack);
}

/** The target path of a node: its undo state's `path`, else its immediate `path` slot. */
export function targetPath(node: Node): string | undefined {
  const undo = node.undo;
  if (typeof undo === 'object' && undo !== null && !Array.isArray(undo)) {
    const path = (undo as Readonly<Record<string, unknown>>)['path'];
    if (typeof path === 'string') return path;
  }
  const slot = node.slots['path'];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

/** Newest receipt first; within one, reverse start order (the saga's unwinding order). */
export function unwindingOrder(items: readonly UndoItem[]): UndoItem[] {
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    if (a.item.stem !== b.item.stem) return a.item.stem < b.item.stem ? 1 : -1;
    const started = (b.item.node.started_at ?? '').localeCompare(a.item.node.started_at ?? '');
    return started !== 0 ? started : b.index - a.index;
  });
  return indexed.map(({ item }) => item);
}
