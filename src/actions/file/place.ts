import { mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import { hasBackup } from '../backup-store.js';
import { readTargetState, sameTargetState, missingAncestors } from '../fs-state.js';
import type { ActionContext, TargetState } from '../types.js';
import {
  changedSinceRun,
  planBackup,
  removeCreatedDirs,
  removeTempSiblings,
  saveBackup,
} from './common.js';
import { toRecord, type FileUndo, type Placed, type StateRecord } from './undo-state.js';

/** What a placing action (link, copy, write, mkdir) asks for. */
export interface PlaceRequest {
  readonly path: string;
  /** What will be at `path` afterwards. */
  readonly placed: Placed;
  /** Puts the new item at `path` (atomically for files and links); `prior` is what was there. */
  readonly write: (path: string, prior: StateRecord) => void | Promise<void>;
  /** Mark backups disposable (the `overwrite` resolution). */
  readonly disposable: boolean;
}

/** What a probe planned for a {@link place} on a free path (see `FsMemo.noteFree`). */
export interface PlannedPlace {
  /** The missing directories to create, outermost first. */
  readonly createdDirs: readonly string[];
  /** The undo state predicted for this very path, prior and placed item (registered as is). */
  readonly undo?: PlaceUndo;
}

/** The place undo state. */
export type PlaceUndo = Extract<FileUndo, { kind: 'place' }>;

/** True when `current` already is what `placed` describes (for a file: same bytes and mode). */
export function isPlaced(
  current: TargetState,
  placed: Placed,
  options: { ignoreMode?: boolean } = {},
): boolean {
  switch (placed.type) {
    case 'symlink':
      return current.type === 'symlink' && current.link_target === placed.link_target;
    case 'file':
      return (
        current.type === 'file' &&
        current.digest === placed.digest &&
        (options.ignoreMode === true || current.mode === placed.mode)
      );
    case 'directory':
      return current.type === 'directory';
    default:
      return placed satisfies never;
  }
}

/**
 * Puts a new item at a path: inspect, register undo (naming the backup-to-be), create missing
 * parents, displace the old item into the backup store, write. Returns undefined when the path
 * already holds the item (nothing done, nothing to undo).
 */
export async function place(
  ctx: ActionContext,
  request: PlaceRequest,
  current?: TargetState,
  planned?: PlannedPlace,
): Promise<PlaceUndo | undefined> {
  const { path, placed } = request;
  const prior = toRecord(current ?? (await readTargetState(path)));
  if (isPlaced(prior, placed)) return undefined;
  const backup = prior.type === 'missing' ? null : planBackup(path, prior, request.disposable);
  const parent = dirname(path);
  const created_dirs = planned?.createdDirs ?? missingAncestors(parent, ctx.memo);
  const predicted = planned?.undo;
  // The probe's prediction is registered as is when it holds: the same object, known by identity.
  let registered =
    predicted !== undefined && backup === null && predicted.path === path && predicted.created_dirs === created_dirs
      ? predicted
      : placeUndo(path, prior, backup, placed, created_dirs);
  await ctx.registerUndo(registered);
  // A file or link is copied to the store and then replaced by one rename, so the path is never
  // empty; a directory cannot be renamed over, so it (or what a directory replaces) is moved.
  const how = prior.type === 'directory' || placed.type === 'directory' ? 'move' : 'copy';
  try {
    registered = await recordFoundParents(ctx, registered, createParents(ctx, created_dirs));
  } catch (error) {
    if (!isNoEntry(error)) throw error;
    const retried = await placeInFoundParents(ctx, request, prior, backup, how);
    if (retried === undefined) throw error;
    return retried;
  }
  const saved = backup === null ? null : await saveBackup(ctx, backup, how);
  try {
    await request.write(path, prior);
  } catch (error) {
    // The run's memo said the parent existed, or another step of the run planned to create it
    // and has not run yet, or something removed it since: look again.
    if (ctx.memo === undefined || !isNoEntry(error)) throw error;
    const retried = await placeInFoundParents(ctx, request, prior, backup, how, saved);
    if (retried === undefined) throw error;
    return retried;
  }
  // Unchanged since it was registered (no backup, or the backup as planned): the same object,
  // which the executor then does not register again.
  return saved === backup ? registered : { ...registered, backup: saved };
}

/**
 * `undo` without the directories in `found` (made by someone else between the look and the
 * step: not this step's to remove), registered again before the step acts; `undo` itself when
 * there are none.
 */
async function recordFoundParents(ctx: ActionContext, undo: PlaceUndo, found: readonly string[]): Promise<PlaceUndo> {
  if (found.length === 0) return undo;
  const corrected = { ...undo, created_dirs: undo.created_dirs.filter((dir) => !found.includes(dir)) };
  await ctx.registerUndo(corrected);
  return corrected;
}

/** The undo state of {@link place}, before its backup is saved (keys in the order journalled). */
export function placeUndo(
  path: string,
  prior: StateRecord,
  backup: PlaceUndo['backup'],
  placed: Placed,
  created_dirs: readonly string[],
): PlaceUndo {
  return { kind: 'place', path, prior, backup, placed, created_dirs };
}

/**
 * The second attempt of {@link place} when the parent directory was not there: registers the
 * missing directories found now, creates them and writes. Undefined when none are missing
 * (the ENOENT had another cause, and stands).
 */
async function placeInFoundParents(
  ctx: ActionContext,
  request: PlaceRequest,
  prior: StateRecord,
  backup: PlaceUndo['backup'],
  how: 'copy' | 'move',
  saved?: PlaceUndo['backup'],
): Promise<PlaceUndo | undefined> {
  const { path, placed } = request;
  const missing = missingAncestors(dirname(path));
  if (missing.length === 0) return undefined;
  const registered = placeUndo(path, prior, backup, placed, missing);
  await ctx.registerUndo(registered);
  const undo = await recordFoundParents(ctx, registered, createParents(ctx, missing));
  const kept = saved !== undefined ? saved : backup === null ? null : await saveBackup(ctx, backup, how);
  await request.write(path, prior);
  return { ...undo, backup: kept };
}

/**
 * Creates the directories `created` names, outermost first, and lets the run's memo learn
 * them. Each is made alone (not `mkdir -p`): a parent missing that is not in the list belongs
 * to another step, and creating it here unrecorded would leave it behind on undo, so that is
 * an ENOENT for the caller to handle. One already there is fine; returned are those this run
 * did not make (found, not created: the caller takes them out of its undo state).
 */
function createParents(ctx: ActionContext, created: readonly string[]): string[] {
  const found: string[] = [];
  for (const dir of created) {
    try {
      mkdirSync(dir, { mode: 0o755 });
      // Later steps of the run find these here without an lstat.
      ctx.memo?.noteMade(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Made by another step of this run (which ran first and recorded it too: both undo it,
      // the last one when it is empty), or by someone else since the look: not ours.
      if (ctx.memo?.isMade(dir) !== true) found.push(dir);
      ctx.memo?.noteDirectory(dir);
    }
  }
  return found;
}

function isNoEntry(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Undoes {@link place}, whether it completed, stopped part way, or never started. */
export async function undoPlace(ctx: ActionContext, undo: PlaceUndo): Promise<void> {
  const { path, placed, prior, backup } = undo;
  let current = await readTargetState(path);
  // Only an interrupted write leaves a temporary sibling; a completed one renamed it away, so
  // the (directory-sized) scan is skipped on the common path of undoing a finished step.
  if (!isPlaced(current, placed, { ignoreMode: true })) removeTempSiblings(path);
  if (sameTargetState(current, prior)) {
    // Never displaced (the step stopped before acting), or already undone.
    removeCreatedDirs(ctx, undo.created_dirs);
    return;
  }
  if (isPlaced(current, placed, { ignoreMode: true })) {
    if (!removePlaced(ctx, path, placed)) {
      if (prior.type !== 'missing')
        throw changedSinceRun(path, 'is a directory that is no longer empty', backup);
      return;
    }
    current = { type: 'missing' };
  }
  if (current.type === 'missing') {
    if (backup !== null && hasBackup(ctx.backups, backup)) await ctx.backups.restore(backup, path);
    else if (prior.type !== 'missing') {
      throw new WritLoreError(
        'not-found',
        `cannot restore ${path}: its backup ${backup?.id ?? '(none)'} is gone`,
        { path },
      );
    }
  } else {
    throw changedSinceRun(path, `changed since the run (now a ${current.type})`, backup);
  }
  removeCreatedDirs(ctx, undo.created_dirs);
}

/** Removes what place() wrote; false when it is a directory that is not empty any more. */
function removePlaced(ctx: ActionContext, path: string, placed: Placed): boolean {
  if (placed.type !== 'directory') {
    unlinkSync(path);
    return true;
  }
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    ctx.log.warn(`kept ${path}: it was created by this run but is no longer empty`);
    return false;
  }
}
