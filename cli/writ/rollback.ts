import path from 'node:path';
import { WritLoreError, type Graph, type ReceiptStore } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext, Handler } from '../program.js';
import { openSession, type WritFlags } from './context.js';
import { checkItem, undoItems, type UndoItem } from './undo.js';
import { reportUndo } from './remove.js';

/** Options of `writ rollback`. */
export interface RollbackOptions extends WritFlags {
  readonly force?: boolean;
}

/**
 * `writ rollback [RECEIPT|latest]`: undoes a past run from its receipt and backups. Every path
 * it would touch is checked first; if any drifted since (edited, re-pointed, replaced by a
 * later run) nothing is changed and exit 3 names them, unless `--force` (then what is there
 * now is moved into this rollback's backups before the old state is restored).
 */
export const handler: Handler<RollbackOptions> = async (ctx: CommandContext<RollbackOptions>) => {
  const session = openSession(ctx);
  const { store } = session;
  const stem = await resolveReceipt(store, ctx.args[0] ?? 'latest');
  const receipt = await store.load(stem);
  await refuseUndone(store, stem, receipt);
  const items: UndoItem[] = receipt.nodes
    .filter((node) => node.status === 'completed' && node.undo !== undefined)
    .map((node) => ({ node, stem }));
  if (items.length === 0) {
    ctx.out.line(`nothing to roll back: ${stem} changed nothing`, true);
    return EXIT.ok;
  }
  const alreadyUndone = new Set<UndoItem>();
  const displace = new Set<UndoItem>();
  const drifted: string[] = [];
  for (const item of items) {
    const check = await checkItem(item);
    if (check.kind === 'already-undone') alreadyUndone.add(item);
    if (check.kind !== 'drifted') continue;
    drifted.push(`  ${check.path}: left as ${check.expected}, now ${check.now}`);
    displace.add(item);
  }
  if (drifted.length > 0 && ctx.options.force !== true) {
    throw new WritLoreError('conflict', `${drifted.length} of the paths ${stem} changed drifted since; nothing was changed:\n${drifted.join('\n')}`, {
      hint: 'restore them by hand, or pass --force to move what is there now into the backups and roll back anyway',
    });
  }
  const outcome = await undoItems(items, {
    session,
    operation: 'rollback',
    context: receipt.context,
    alreadyUndone,
    displace,
    onNote: (note) => ctx.out.warn(note),
  });
  return reportUndo(ctx.out, `rolled back ${stem}`, outcome, receipt.context.target_root);
};

/** `latest` → the newest writ receipt of a run that changed something; a name → its stem. */
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
    const settings = graph.context.settings ?? {};
    if (settings['operation'] === 'rollback') for (const stem of (settings['undo_of'] ?? '').split(',')) undone.add(stem);
    const isDeployment = (graph.state === 'executed' || graph.state === 'failed') && settings['operation'] === undefined;
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
    const later = await store.load(entry.stem);
    const undoOf = later.context.settings?.['undo_of']?.split(',') ?? [];
    if (later.context.settings?.['operation'] === 'rollback' && undoOf.includes(stem)) {
      throw new WritLoreError('invalid-input', `${stem} was already rolled back by ${entry.stem}`);
    }
  }
}
