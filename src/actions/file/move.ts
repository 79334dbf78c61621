import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { WritLoreError, type JsonValue } from '../../graph/index.js';
import { hasBackup, moveItem } from '../backup-store.js';
import { readTargetState, sameTargetState, missingAncestors } from '../fs-state.js';
import type { ActionContext, CompensableAction, ProbeContext, ResolvedSlots } from '../types.js';
import {
  changedSinceRun,
  planBackup,
  removeCreatedDirs,
  saveBackup,
} from './common.js';
import { conflictWith, inspect } from './probe.js';
import { requireNonEmptyString } from '../slot-values.js';
import { onConflictSlot } from './slots.js';
import { parseFileUndo, toRecord, type FileUndo } from './undo-state.js';

const NAME = 'file.move';

/** The move undo state. */
type MoveUndo = Extract<FileUndo, { kind: 'move' }>;

/** `file.move`: renames `source` to `path`; whatever was at `path` goes to the backup store. */
export const moveAction: CompensableAction = {
  name: NAME,
  spec: { required: ['source', 'path'], optional: ['on_conflict'], writes: ['path', 'source'] },

  async do(ctx: ActionContext, slots: ResolvedSlots) {
    const source = requireNonEmptyString(slots, 'source', NAME);
    const path = requireNonEmptyString(slots, 'path', NAME);
    if (source === path) return {};
    const moved = toRecord(await readTargetState(source));
    if (moved.type === 'missing') {
      throw new WritLoreError('action-failed', `${NAME}: source ${source} does not exist`, {
        path: source,
      });
    }
    const prior = toRecord(await readTargetState(path));
    const backup =
      prior.type === 'missing'
        ? null
        : planBackup(path, prior, onConflictSlot(slots, NAME) === 'overwrite');
    const created_dirs = missingAncestors(dirname(path));
    await ctx.registerUndo({ kind: 'move', source, path, moved, prior, backup, created_dirs });
    if (created_dirs.length > 0) mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const saved = backup === null ? null : await saveBackup(ctx, backup, 'move');
    await moveItem(source, path);
    const undo: MoveUndo = {
      kind: 'move',
      source,
      path,
      moved,
      prior,
      backup: saved,
      created_dirs,
    };
    return { undo };
  },

  async undo(ctx: ActionContext, state: JsonValue) {
    const undo = parseFileUndo(state, NAME);
    if (undo.kind !== 'move')
      throw new WritLoreError('invalid-input', `${NAME}: cannot undo a "${undo.kind}" state`);
    await undoMove(ctx, undo);
  },

  async probe(_ctx: ProbeContext, slots: ResolvedSlots) {
    const source = requireNonEmptyString(slots, 'source', NAME);
    const path = requireNonEmptyString(slots, 'path', NAME);
    const current = await inspect(path);
    if ((await inspect(source)).type === 'missing') {
      return current.type === 'missing'
        ? { kind: 'create', target: path, detail: `source ${source} does not exist` }
        : {
            kind: 'ok-already',
            target: path,
            detail: `source ${source} is gone; assuming it was moved`,
          };
    }
    return current.type === 'missing'
      ? { kind: 'create', target: path }
      : conflictWith(path, current);
  },
};

/** Moves the item back and restores what it displaced, from any point of interruption. */
async function undoMove(ctx: ActionContext, undo: MoveUndo): Promise<void> {
  if (
    (await inspect(undo.source)).type === 'missing' &&
    sameTargetState(await readTargetState(undo.path), undo.moved)
  ) {
    mkdirSync(dirname(undo.source), { recursive: true });
    await moveItem(undo.path, undo.source);
  }
  if (
    undo.backup !== null &&
    (await inspect(undo.path)).type === 'missing' &&
    hasBackup(ctx.backups, undo.backup)
  ) {
    await ctx.backups.restore(undo.backup, undo.path);
  }
  if (!sameTargetState(await readTargetState(undo.source), undo.moved)) {
    throw changedSinceRun(undo.source, 'changed since it was moved', null);
  }
  if (!sameTargetState(await readTargetState(undo.path), undo.prior)) {
    throw changedSinceRun(undo.path, 'changed since the run', undo.backup);
  }
  removeCreatedDirs(ctx, undo.created_dirs);
}
