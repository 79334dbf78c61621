import { symlinkSync } from 'node:fs';
import { WritLoreError, assertNever, type JsonValue } from '../../graph/index.js';
import { atomicSymlink, lstatOrUndefined } from '../fs-state.js';
import type {
  ActionContext,
  CompensableAction,
  ProbeContext,
  ProbeOutcome,
  ResolvedSlots,
} from '../types.js';
import { adopt, undoAdopt } from './adopt.js';
import { place, undoPlace } from './place.js';
import { conflictWith, inspect } from './probe.js';
import { onConflictSlot, requireString, resolveLinkSource } from './slots.js';
import { parseFileUndo, type StateRecord } from './undo-state.js';

const NAME = 'file.link';

/**
 * `file.link`: makes `path` a symlink to `source`. A link already pointing at `source` is left
 * alone; anything else at `path` is backed up and replaced atomically (or adopted into `source`
 * when `on_conflict` is `adopt` and it is a regular file).
 */
export const linkAction: CompensableAction = {
  name: NAME,
  spec: { required: ['source', 'path'], optional: ['on_conflict'], writes: ['path'] },

  async do(ctx: ActionContext, slots: ResolvedSlots) {
    const source = requireString(slots, 'source', NAME);
    const path = requireString(slots, 'path', NAME);
    const onConflict = onConflictSlot(slots, NAME);
    if (lstatOrUndefined(resolveLinkSource(source, path)) === undefined) {
      throw new WritLoreError('action-failed', `${NAME}: source ${source} does not exist`, {
        path: source,
      });
    }
    const current = await inspect(path);
    if (current.type === 'symlink' && current.link_target === source) return {};
    if (onConflict === 'adopt' && current.type === 'file')
      return { undo: await adopt(ctx, path, source, current) };
    const undo = await place(
      ctx,
      {
        path,
        placed: { type: 'symlink', link_target: source },
        write: (p, prior) => writeLink(source, p, prior),
        disposable: onConflict === 'overwrite',
      },
      current,
    );
    return undo === undefined ? {} : { undo };
  },

  async undo(ctx: ActionContext, state: JsonValue) {
    const undo = parseFileUndo(state, NAME);
    switch (undo.kind) {
      case 'place':
        return undoPlace(ctx, undo);
      case 'adopt':
        return undoAdopt(ctx, undo);
      case 'displace':
      case 'move':
        throw new WritLoreError('invalid-input', `${NAME}: cannot undo a "${undo.kind}" state`);
      default:
        return assertNever(undo, 'undo state');
    }
  },

  async probe(_ctx: ProbeContext, slots: ResolvedSlots): Promise<ProbeOutcome> {
    const source = requireString(slots, 'source', NAME);
    const path = requireString(slots, 'path', NAME);
    const current = await inspect(path);
    if (current.type === 'missing') {
      const exists = lstatOrUndefined(resolveLinkSource(source, path)) !== undefined;
      return exists
        ? { kind: 'create', target: path }
        : { kind: 'create', target: path, detail: `source ${source} does not exist` };
    }
    if (current.type === 'symlink' && current.link_target === source)
      return { kind: 'ok-already', target: path };
    return conflictWith(path, current);
  },
};

/**
 * Creating a link on a free path is atomic by itself (and fails if something appeared since the
 * inspection); only replacing needs the temp-link-and-rename dance.
 */
function writeLink(source: string, path: string, prior: StateRecord): void {
  if (prior.type === 'missing') symlinkSync(source, path);
  else atomicSymlink(source, path);
}
