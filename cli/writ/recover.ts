import path from 'node:path';
import { recoverInterrupted } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import { otherToolsUnfinished } from '../recover-hints.js';
import type { CommandContext, Handler } from '../program.js';
import { WRIT_JSON_VERSION, openSession, type WritFlags } from './context.js';

/**
 * `writ recover`: takes the run lock and rolls back every interrupted run (a journal without
 * its receipt) from the journal alone, then writes its receipt; then finishes the rollback of
 * every run whose receipt says `interrupted` (an undo had failed). Exit 5 when an undo failed.
 * A lore run left `interrupted` is lore's to finish: it is named with `lore recover`.
 */
export const handler: Handler<WritFlags> = async (ctx: CommandContext<WritFlags>) => {
  const { out } = ctx;
  const session = openSession(ctx);
  const reports = await recoverInterrupted({
    store: session.store,
    actions: session.registry,
    tool: 'writ',
    registry: session.registry,
    onNote: (note) => out.warn(note),
  });
  const failed = reports.flatMap((report) => report.failed);
  if (out.isJson) {
    out.json({ version: WRIT_JSON_VERSION, recovered: reports });
  } else {
    const others = await otherToolsUnfinished(session.store, 'writ');
    if (reports.length === 0) out.line(`nothing to recover: no interrupted ${others.length === 0 ? '' : 'writ '}run`, true);
    for (const report of reports) {
      const what = report.outcome === 'already-recorded' ? 'already had its receipt (journal removed)' : `${report.state}: ${report.undone.length} undone${report.outcome === 'finished' ? ' (its rollback had stopped at a failed undo)' : ''}`;
      out.line(`${report.stem}: ${what} — receipt ${path.basename(report.receiptPath)}`, true);
      for (const item of report.failed) out.warn(`${item.node}: ${item.message}`);
    }
    for (const line of others) out.warn(line);
  }
  return failed.length === 0 ? EXIT.ok : EXIT.rollbackIncomplete;
};
