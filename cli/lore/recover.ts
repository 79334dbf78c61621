import { recoverInterrupted } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import { otherToolsUnfinished } from '../recover-hints.js';
import type { Handler } from '../program.js';
import { JSON_FORMAT_VERSION } from '../receipts/common.js';
import { openLoreSession, type LoreFlags } from './common.js';

/**
 * `lore recover`: rolls back every interrupted run (a journal without its receipt), then
 * finishes the rollback of every run whose receipt says `interrupted` (an undo had failed).
 * A writ run left `interrupted` is writ's to finish: it is named with `writ recover`.
 */
export const handler: Handler<LoreFlags> = async (ctx) => {
  const session = openLoreSession(ctx);
  const reports = await recoverInterrupted({
    store: session.store,
    actions: session.actions,
    tool: 'lore',
    registry: session.actions,
    onNote: (message) => ctx.out.note(message),
    onUndo: (node, outcome) => ctx.out.note(`  ${node.key} ${outcome}`),
  });
  if (ctx.out.isJson) {
    const recovered = reports.map(({ receiptPath, ...report }) => ({ ...report, receipt_path: receiptPath }));
    ctx.out.json({ version: JSON_FORMAT_VERSION, recovered });
  } else if (reports.length === 0) {
    ctx.out.line('nothing to recover', true);
  }
  for (const report of reports) {
    if (ctx.out.isJson) break;
    const failed = report.failed.map((item) => `\n  left: ${item.node}: ${item.message}`).join('');
    ctx.out.line(`${report.stem}: ${report.outcome}, ${report.state}, ${report.undone.length} undone${failed}`, true);
  }
  if (!ctx.out.isJson) for (const line of await otherToolsUnfinished(session.store, 'lore')) ctx.out.warn(line);
  return reports.every((report) => report.failed.length === 0) ? EXIT.ok : EXIT.rollbackIncomplete;
};
