import { WritLoreError } from '../../graph/index.js';
import { hasBackup } from '../backup-store.js';
import { readTargetState, sameTargetState } from '../fs-state.js';
import type { ActionContext, TargetState } from '../types.js';
import { changedSinceRun, planBackup, saveBackup } from './common.js';
import { toRecord, type FileUndo } from './undo-state.js';

/** The displace undo state (remove, unlink, backup). */
export type DisplaceUndo = Extract<FileUndo, { kind: 'displace' }>;

/**
 * Moves the item at `path` into the backup store, registering the undo state (with the backup's
 * id) first. Returns undefined when nothing is there.
 */
export async function displace(
  ctx: ActionContext,
  path: string,
  current?: TargetState,
): Promise<DisplaceUndo | undefined> {
  const prior = toRecord(current ?? (await readTargetState(path)));
  if (prior.type === 'missing') return undefined;
  const backup = planBackup(path, prior, false);
  await ctx.registerUndo({ kind: 'displace', path, prior, backup });
  const saved = await saveBackup(ctx, backup, 'move');
  return { kind: 'displace', path, prior, backup: saved };
}

/** Puts a displaced item back, whether the move happened or not. */
export async function undoDisplace(ctx: ActionContext, undo: DisplaceUndo): Promise<void> {
  const current = await readTargetState(undo.path);
  if (current.type === 'missing') {
    if (hasBackup(ctx.backups, undo.backup)) {
      await ctx.backups.restore(undo.backup, undo.path);
      return;
    }
    throw new WritLoreError(
      'not-found',
      `cannot restore ${undo.path}: its backup ${undo.backup.id} is gone`,
      {
        path: undo.path,
      },
    );
  }
  // Still there: the move never happened, or undo already ran.
  if (sameTargetState(current, undo.prior)) return;
  throw changedSinceRun(
    undo.path,
    `was replaced since the run (now a ${current.type})`,
    undo.backup,
  );
}
