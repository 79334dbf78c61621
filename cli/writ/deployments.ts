import type { Graph, Node, ReceiptStore } from '../../src/index.js';

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
 * target pushes onto that path's stack; a rollback or remove receipt's compensated node (it
 * names the run it undid in `writ.undo_of`) pops that run's entry. Nodes a run compensated
 * itself (a failed run rolled back by the executor) never got onto a stack.
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
      if (target === undefined || !node.action.startsWith('file.')) continue;
      if (isUndo && node.status === 'compensated') pop(stacks, target, node.annotations?.['writ.undo_of']);
      if (!isUndo && node.status === 'completed' && node.undo !== undefined) push(stacks, target, { node, stem: entry.stem });
    }
  }
  return { stacks, latest };
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
