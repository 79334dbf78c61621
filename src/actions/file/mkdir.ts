import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { WritLoreError, type JsonValue } from '../../graph/index.js';
import { formatMode, parseMode } from '../fs-state.js';
import type {
  ActionContext,
  CompensableAction,
  ProbeContext,
  ResolvedSlots,
  TargetState,
} from '../types.js';
import { place, undoPlace } from './place.js';
import { conflictWith, inspect } from './probe.js';
import { optionalNonEmptyString, requireNonEmptyString } from '../slot-values.js';
import { onConflictSlot } from './slots.js';
import { parseFileUndo } from './undo-state.js';

const NAME = 'file.mkdir';

/**
 * `file.mkdir`: makes sure `path` is a directory (parents included). An existing directory is
 * left as it is; undo removes only the directories this node created, and only if empty.
 */
export const mkdirAction: CompensableAction = {
  name: NAME,
  spec: { required: ['path'], optional: ['mode', 'on_conflict'], writes: ['path'] },

  async do(ctx: ActionContext, slots: ResolvedSlots) {
    const path = requireNonEmptyString(slots, 'path', NAME);
    const mode = parseMode(optionalNonEmptyString(slots, 'mode', NAME) ?? '0755');
    const write = (p: string): void => {
      mkdirSync(p);
      chmodSync(p, mode);
    };
    const current = await inspect(path);
    if (isDirectoryLink(path, current)) return {};
    const placed = { type: 'directory', mode: formatMode(mode) } as const;
    const undo = await place(
      ctx,
      { path, placed, write, disposable: onConflictSlot(slots, NAME) === 'overwrite' },
      current,
    );
    return undo === undefined ? {} : { undo };
  },

  async undo(ctx: ActionContext, state: JsonValue) {
    const undo = parseFileUndo(state, NAME);
    if (undo.kind !== 'place')
      throw new WritLoreError('invalid-input', `${NAME}: cannot undo a "${undo.kind}" state`);
    await undoPlace(ctx, undo);
  },

  async probe(_ctx: ProbeContext, slots: ResolvedSlots) {
    const path = requireNonEmptyString(slots, 'path', NAME);
    const current = await inspect(path);
    if (current.type === 'missing') return { kind: 'create', target: path };
    if (current.type === 'directory' || isDirectoryLink(path, current))
      return { kind: 'ok-already', target: path };
    return conflictWith(path, current);
  },
};

/** A symlink to a directory already is a directory for `mkdir -p` (e.g. `~/.config` linked elsewhere). */
function isDirectoryLink(path: string, current: TargetState): boolean {
  return (
    current.type === 'symlink' && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
  );
}
