import { mkdir } from 'node:fs/promises';
import { WritLoreError, type JsonValue } from '../graph/index.js';
import type { BackupRef, BackupStore } from './backup.js';
import { backupRefsIn, hasBackup, newBackupId } from './backup-store.js';
import { parseMode, readTargetState, sameTargetState } from './fs-state.js';
import type { Action, ActionContext, ResolvedSlots, TargetState } from './types.js';

/** The action that replays one recorded node's undo: `receipt.undo { action, undo, path?, backups?, displace? }`. */
export const UNDO_REPLAY_ACTION = 'receipt.undo';

/** Where {@link undoReplayAction} finds the action whose undo it replays. */
export interface UndoActionLookup {
  get(name: string): Action | undefined;
}

/** Options of {@link undoReplayAction}. */
export interface UndoReplayOptions {
  /** The backups of the run named in a node's `backups` slot (a receipt stem); without it the slot is refused. */
  readonly backupsFor?: (stem: string) => BackupStore;
}

/**
 * The undo state of a replay node (its "re-do"). Before replaying, the replay copies what is at
 * `path` into its own run's backups (`saved`, journalled first); its undo moves whatever the
 * replayed undo put back out of the way (into the original run's backups under `origin_ref`
 * when that is where it came from) and restores `saved`, so a failed or killed rollback puts
 * the target back as the original run left it.
 */
interface ReplayUndo {
  readonly kind: 'replay';
  readonly path: string;
  readonly left: TargetState;
  readonly saved: BackupRef | null;
  readonly origin: string | null;
  readonly origin_ref: string | null;
}

/**
 * The action `receipt.undo`: calls the `undo` of the action named in its `action` slot with the
 * undo state in its `undo` slot, exactly as a rollback of the original run would, with that
 * run's backups (the `backups` slot names its receipt stem; default: this run's). With a `path`
 * slot the replay is itself compensable (see {@link ReplayUndo}); `displace: true` moves what is
 * there aside first (a forced undo over a drifted target) instead of copying it.
 */
export function undoReplayAction(actions: UndoActionLookup, options: UndoReplayOptions = {}): Action {
  return {
    name: UNDO_REPLAY_ACTION,
    spec: { required: ['action', 'undo'], optional: ['path', 'backups', 'displace'], writes: ['path'] },
    async do(ctx: ActionContext, slots: ResolvedSlots) {
      const action = undoableAction(actions, ctx, slots['action']);
      const origin = optionalString(ctx, slots, 'backups');
      const backups = origin === undefined ? ctx.backups : originStore(options, origin);
      const target = optionalString(ctx, slots, 'path');
      const recorded = slots['undo'] as JsonValue;
      if (target !== undefined) await setAside(ctx, { target, origin, recorded, isDisplacing: slots['displace'] === true });
      await action.undo?.(replayContext(ctx, backups), recorded);
      return {};
    },
    async undo(ctx: ActionContext, state: JsonValue) {
      const undo = parseReplayUndo(ctx, state);
      if (undo === undefined) return;
      await redo(ctx, undo, undo.origin === null ? undefined : originStore(options, undo.origin));
    },
  };
}

function undoableAction(actions: UndoActionLookup, ctx: ActionContext, name: unknown): Action {
  if (typeof name !== 'string') throw new WritLoreError('invalid-slot', `${ctx.nodeId}: slot "action" must be an action name`);
  const action = actions.get(name);
  if (action?.undo === undefined) throw new WritLoreError('not-compensable', `${ctx.nodeId}: action "${name}" cannot undo`);
  return action;
}

/** The context the replayed undo sees: the original run's backups, and no undo registration of its own. */
function replayContext(ctx: ActionContext, backups: BackupStore): ActionContext {
  return {
    nodeId: ctx.nodeId,
    signal: ctx.signal,
    clock: ctx.clock,
    data: ctx.data,
    log: ctx.log,
    backups,
    // The replay's own undo state (registered before) must stay the last one journalled.
    registerUndo: () => Promise.resolve(),
  };
}

function originStore(options: UndoReplayOptions, stem: string): BackupStore {
  if (options.backupsFor === undefined) {
    throw new WritLoreError('invalid-input', `${UNDO_REPLAY_ACTION}: cannot find the backups of ${stem} (no backupsFor given)`);
  }
  return options.backupsFor(stem);
}

/** Journals the re-do state, then saves what is at the target (copied, or moved when displacing). */
async function setAside(
  ctx: ActionContext,
  request: { target: string; origin: string | undefined; recorded: JsonValue; isDisplacing: boolean },
): Promise<void> {
  const { target, isDisplacing } = request;
  const left = await readTargetState(target);
  const isKept = left.type === 'file' || left.type === 'symlink' || (isDisplacing && left.type !== 'missing');
  const type = left.type === 'symlink' ? 'symlink' : left.type === 'directory' ? 'directory' : 'file';
  const saved: BackupRef | null = isKept ? { id: newBackupId(target), original: target, type } : null;
  const originRef = backupRefsIn(request.recorded).find((ref) => ref.original === target);
  const undo: ReplayUndo = { kind: 'replay', path: target, left, saved, origin: request.origin ?? null, origin_ref: originRef?.id ?? null };
  await ctx.registerUndo(undo as unknown as JsonValue);
  if (saved !== null) await ctx.backups.save(target, isDisplacing ? 'move' : 'copy', { id: saved.id });
}

/** Puts the target back as the replay found it; a no-op when the replay never changed it. */
async function redo(ctx: ActionContext, undo: ReplayUndo, origin: BackupStore | undefined): Promise<void> {
  const now = await readTargetState(undo.path);
  if (sameTargetState(now, undo.left)) return;
  if (undo.saved !== null && !hasBackup(ctx.backups, undo.saved)) {
    // Killed before the copy landed: the target was not touched by the replayed undo either.
    if (now.type === 'missing') throw new WritLoreError('not-found', `cannot put back ${undo.path}: its copy ${undo.saved.id} is gone`, { path: undo.path });
    return;
  }
  if (now.type !== 'missing') await moveBack(ctx, undo, origin);
  if (undo.saved !== null) await ctx.backups.restore(undo.saved, undo.path);
  else if (undo.left.type === 'directory') await mkdir(undo.path, { recursive: true, mode: parseMode(undo.left.mode ?? '0755') });
}

/** Moves what the replayed undo restored back into the backup it came from (else into this run's). */
async function moveBack(ctx: ActionContext, undo: ReplayUndo, origin: BackupStore | undefined): Promise<void> {
  const ref = undo.origin_ref === null ? undefined : { id: undo.origin_ref, original: undo.path, type: 'file' as const };
  const store = origin ?? ctx.backups;
  if (ref !== undefined && !hasBackup(store, ref)) {
    await store.save(undo.path, 'move', { id: ref.id });
    return;
  }
  const saved = await ctx.backups.save(undo.path, 'move');
  ctx.log.warn(`${undo.path}: moved what was there to ${saved.id} in ${ctx.backups.root} before putting back the replayed path`);
}

function parseReplayUndo(ctx: ActionContext, state: JsonValue): ReplayUndo | undefined {
  if (state === null) return undefined;
  const record = typeof state === 'object' && !Array.isArray(state) ? (state as Readonly<Record<string, JsonValue>>) : {};
  if (record['kind'] !== 'replay' || typeof record['path'] !== 'string') {
    throw new WritLoreError('invalid-input', `${ctx.nodeId}: not a ${UNDO_REPLAY_ACTION} undo state`);
  }
  return state as unknown as ReplayUndo;
}

function optionalString(ctx: ActionContext, slots: ResolvedSlots, name: string): string | undefined {
  const value = slots[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new WritLoreError('invalid-slot', `${ctx.nodeId}: slot "${name}" must be a string`);
  return value;
}
