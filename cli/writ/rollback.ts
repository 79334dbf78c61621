import { WritLoreError, findRollbackTarget, runUndo, selectUndo } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import { formatCount } from '../plural.js';
import type { CommandContext, Handler } from '../program.js';
import { openSession, type WritFlags } from './context.js';
import { reportUndo } from './remove.js';

/** Options of `writ rollback`. */
export interface RollbackOptions extends WritFlags {
  readonly force?: boolean;
}

/**
 * `writ rollback [RECEIPT|latest]`: undoes a past run from its receipt and backups, as a
 * journalled run (a killed rollback is finished by `writ recover`). Every path it would touch
 * is checked first; if any drifted since (edited, re-pointed, replaced by a later run) nothing
 * is changed and exit 3 names them, unless `--force` (then what is there now is moved into
 * this rollback's backups before the old state is restored).
 */
export const handler: Handler<RollbackOptions> = async (ctx: CommandContext<RollbackOptions>) => {
  const session = openSession(ctx);
  const { stem, receipt, items } = await findRollbackTarget(session.store, ctx.args[0] ?? 'latest');
  if (items.length === 0) {
    ctx.out.line(`nothing to roll back: ${stem} changed nothing`, true);
    return EXIT.ok;
  }
  const force = ctx.options.force === true;
  const selection = await selectUndo(items.map((item) => [item]), { force });
  if (selection.drifted.length > 0 && !force) {
    const lines = selection.drifted.map((line) => `  ${line}`).join('\n');
    const count = selection.drifted.length;
    throw new WritLoreError('conflict', `${formatCount(count, 'path')} ${stem} changed ${count === 1 ? 'has' : 'have'} drifted since; nothing was changed:\n${lines}`, {
      hint: 'restore them by hand, or pass --force to move what is there now into the backups and roll back anyway',
    });
  }
  const outcome = await runUndo(selection.chosen, {
    store: session.store,
    registry: session.registry,
    operation: 'rollback',
    context: receipt.context,
    alreadyUndone: selection.alreadyUndone,
    displace: selection.displace,
    onNote: (note) => ctx.out.warn(note),
  });
  return reportUndo(ctx.out, `rolled back ${stem}`, outcome, receipt.context.target_root);
};
