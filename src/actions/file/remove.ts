import { WritLoreError, type JsonValue } from '../../graph/index.js';
import type {
  ActionContext,
  CompensableAction,
  ProbeContext,
  ProbeOutcome,
  ResolvedSlots,
} from '../types.js';
import { displace, undoDisplace } from './displace.js';
import { conflictWith, describeOccupant, inspect } from './probe.js';
import { requireNonEmptyString } from '../slot-values.js';
import { parseFileUndo } from './undo-state.js';

/** Undo for remove, unlink and backup: put the item back from the backup store. */
function undoDisplaced(name: string) {
  return async (ctx: ActionContext, state: JsonValue): Promise<void> => {
    const undo = parseFileUndo(state, name);
    if (undo.kind !== 'displace')
      throw new WritLoreError('invalid-input', `${name}: cannot undo a "${undo.kind}" state`);
    await undoDisplace(ctx, undo);
  };
}

/** Probe for remove and backup: ok-already when nothing is there, else replace. */
async function probeDisplace(slots: ResolvedSlots, name: string): Promise<ProbeOutcome> {
  const path = requireNonEmptyString(slots, 'path', name);
  const current = await inspect(path);
  if (current.type === 'missing') return { kind: 'ok-already', target: path };
  return {
    kind: 'replace',
    target: path,
    current,
    detail: `moves ${describeOccupant(path, current)} to the backup store`,
  };
}

/** `file.remove`: removes `path` (a whole directory tree too) by moving it to the backup store. */
export const removeAction: CompensableAction = {
  name: 'file.remove',
  spec: { required: ['path'], writes: ['path'] },
  async do(ctx, slots) {
    const undo = await displace(ctx, requireNonEmptyString(slots, 'path', 'file.remove'));
    return undo === undefined ? {} : { undo };
  },
  undo: undoDisplaced('file.remove'),
  probe: (_ctx: ProbeContext, slots) => probeDisplace(slots, 'file.remove'),
};

/** `file.unlink`: removes the symlink at `path` (kept in the backup store); refuses anything else. */
export const unlinkAction: CompensableAction = {
  name: 'file.unlink',
  spec: { required: ['path'], writes: ['path'] },
  async do(ctx, slots) {
    const path = requireNonEmptyString(slots, 'path', 'file.unlink');
    const current = await inspect(path);
    if (current.type !== 'symlink' && current.type !== 'missing') {
      throw new WritLoreError(
        'action-failed',
        `file.unlink: refusing to unlink ${path}: it is a ${current.type}, not a symlink`,
        {
          path,
          hint: 'use file.remove to remove it (it is backed up first)',
        },
      );
    }
    const undo = await displace(ctx, path, current);
    return undo === undefined ? {} : { undo };
  },
  undo: undoDisplaced('file.unlink'),
  async probe(_ctx: ProbeContext, slots) {
    const path = requireNonEmptyString(slots, 'path', 'file.unlink');
    const current = await inspect(path);
    if (current.type === 'missing') return { kind: 'ok-already', target: path };
    if (current.type === 'symlink')
      return { kind: 'replace', target: path, current, detail: 'removes the symlink' };
    return conflictWith(
      path,
      current,
      `${describeOccupant(path, current)}; file.unlink removes only symlinks`,
    );
  },
};

/** `file.backup`: moves `path` into the backup store; its result is the BackupRef (null if nothing was there). */
export const backupAction: CompensableAction = {
  name: 'file.backup',
  spec: { required: ['path'], writes: ['path'] },
  async do(ctx, slots) {
    const undo = await displace(ctx, requireNonEmptyString(slots, 'path', 'file.backup'));
    return undo === undefined ? { result: null } : { result: undo.backup, undo };
  },
  undo: undoDisplaced('file.backup'),
  probe: (_ctx: ProbeContext, slots) => probeDisplace(slots, 'file.backup'),
};
