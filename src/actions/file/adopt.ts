import { unlinkSync } from 'node:fs';
import { hasBackup, moveItem } from '../backup-store.js';
import { atomicSymlink, readTargetState, sameTargetState } from '../fs-state.js';
import type { ActionContext, TargetState } from '../types.js';
import { changedSinceRun, planBackup, saveBackup } from './common.js';
import { inspect } from './probe.js';
import { resolveLinkSource } from './slots.js';
import { toRecord, type FileUndo } from './undo-state.js';

/** The adopt undo state. */
export type AdoptUndo = Extract<FileUndo, { kind: 'adopt' }>;

/**
 * Stow's `--adopt`: the user's file at `path` becomes the source (the old source goes to the
 * backup store, never lost), and `path` becomes a link to it.
 */
export async function adopt(
  ctx: ActionContext,
  path: string,
  source: string,
  current: TargetState,
): Promise<AdoptUndo> {
  const sourcePath = resolveLinkSource(source, path);
  const source_prior = toRecord(await readTargetState(sourcePath));
  const source_backup = planBackup(sourcePath, source_prior, false);
  const undo: AdoptUndo = {
    kind: 'adopt',
    path,
    source: sourcePath,
    adopted: toRecord(current),
    source_prior,
    source_backup,
    link_target: source,
  };
  await ctx.registerUndo(undo);
  const saved = await saveBackup(ctx, source_backup, 'move');
  await moveItem(path, sourcePath);
  atomicSymlink(source, path);
  ctx.log.info(`adopted ${path} into ${sourcePath}`);
  return { ...undo, source_backup: saved };
}

/** Undoes {@link adopt} step by step, tolerating any point of interruption. */
export async function undoAdopt(ctx: ActionContext, undo: AdoptUndo): Promise<void> {
  const atPath = await inspect(undo.path);
  if (atPath.type === 'symlink' && atPath.link_target === undo.link_target) unlinkSync(undo.path);
  const atSource = await readTargetState(undo.source);
  if ((await inspect(undo.path)).type === 'missing' && sameTargetState(atSource, undo.adopted)) {
    await moveItem(undo.source, undo.path);
  }
  if (
    (await inspect(undo.source)).type === 'missing' &&
    hasBackup(ctx.backups, undo.source_backup)
  ) {
    await ctx.backups.restore(undo.source_backup, undo.source);
  }
  const [path, source] = [await readTargetState(undo.path), await readTargetState(undo.source)];
  if (!sameTargetState(path, undo.adopted))
    throw changedSinceRun(undo.path, 'changed since it was adopted', null);
  if (!sameTargetState(source, undo.source_prior))
    throw changedSinceRun(undo.source, 'changed since the run', undo.source_backup);
}
