import { readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { BackupRef } from '../backup.js';
import { newBackupId } from '../backup-store.js';
import { isTempSiblingOf, lstatOrUndefined } from '../fs-state.js';
import type { ActionContext } from '../types.js';
import type { StateRecord } from './undo-state.js';

/** Removes directories an action created, innermost first, each only if it is empty. */
export function removeCreatedDirs(ctx: ActionContext, dirs: readonly string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        ctx.log.warn(`kept ${dir}: it was created by this run but is no longer empty`);
        return;
      }
      throw error;
    }
  }
}

/** Removes temporary siblings of `path` left by an atomic write that was interrupted. */
export function removeTempSiblings(path: string): void {
  const dir = dirname(path);
  // The parent may be gone or, replaced behind the run's back, a file: no siblings either way.
  if (lstatOrUndefined(dir)?.isDirectory() !== true) return;
  for (const name of readdirSync(dir)) {
    if (isTempSiblingOf(name, path)) unlinkSync(join(dir, name));
  }
}

/**
 * The backup reference an item at `path` will get, chosen before it moves so that it can be
 * journalled first. `overwrite` still keeps the item for the run (rollback can restore it) and
 * only marks it disposable, which is strictly safer than deleting it.
 */
export function planBackup(path: string, prior: StateRecord, disposable: boolean): BackupRef {
  if (prior.type === 'missing' || prior.type === 'other') {
    throw new WritLoreError(
      'action-failed',
      `cannot back up ${path}: it is a ${prior.type === 'other' ? 'special file' : 'missing item'}`,
      {
        path,
      },
    );
  }
  const ref: BackupRef = { id: newBackupId(path), original: path, type: prior.type };
  return disposable ? { ...ref, disposable: true } : ref;
}

/** Saves `path` into the store under the planned reference. */
export function saveBackup(
  ctx: ActionContext,
  planned: BackupRef,
  how: 'move' | 'copy',
): Promise<BackupRef> {
  const options =
    planned.disposable === true ? { id: planned.id, disposable: true } : { id: planned.id };
  return ctx.backups.save(planned.original, how, options);
}

/** The error undo throws when a path no longer holds what the run left there. */
export function changedSinceRun(
  path: string,
  what: string,
  backup: BackupRef | null,
): WritLoreError {
  const hint =
    backup === null
      ? 'inspect it and remove or keep it by hand'
      : `the previous item is kept in the backup store as ${backup.id}`;
  return new WritLoreError(
    'action-failed',
    `cannot undo ${basename(path)}: ${path} ${what}; left as is`,
    { path, hint },
  );
}
