import { symlinkSync } from 'node:fs';
import { WritLoreError, assertNever, deepFreeze, type JsonValue } from '../../graph/index.js';
import { dirname } from 'node:path';
import { atomicSymlink, lstatOrUndefined, plannedMissingAncestors } from '../fs-state.js';
import type {
  ActionContext,
  ActionOutput,
  CompensableAction,
  ProbeContext,
  ProbeOutcome,
  ResolvedSlots,
  TargetState,
} from '../types.js';
import { adopt, undoAdopt } from './adopt.js';
import { place, placeUndo, undoPlace, type PlaceRequest, type PlaceUndo } from './place.js';
import { conflictWith, inspect, parentConflict } from './probe.js';
import { requireNonEmptyString } from '../slot-values.js';
import { onConflictSlot, resolveLinkSource, type OnConflict } from './slots.js';
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
    const source = requireNonEmptyString(slots, 'source', NAME);
    const path = requireNonEmptyString(slots, 'path', NAME);
    const onConflict = onConflictSlot(slots, NAME);
    // This run's preflight, under the lock, found the path free and the source present: create
    // straight away (symlink fails with EEXIST if anything appeared there since), in the
    // directories the probe planned, registering the undo state the probe predicted.
    const planned = ctx.memo?.takePlannedFree(path);
    if (planned !== undefined) {
      return placed(await place(ctx, linkRequest(source, path, onConflict), MISSING, { createdDirs: planned.createdDirs, undo: planned.undo as PlaceUndo }));
    }
    if (lstatOrUndefined(resolveLinkSource(source, path)) === undefined) {
      throw new WritLoreError('action-failed', `${NAME}: source ${source} does not exist`, {
        path: source,
      });
    }
    const current = await inspect(path);
    if (current.type === 'symlink' && current.link_target === source) return {};
    if (onConflict === 'adopt' && current.type === 'file')
      return { undo: await adopt(ctx, path, source, current) };
    return placed(await place(ctx, linkRequest(source, path, onConflict), current));
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

  async probe(ctx: ProbeContext, slots: ResolvedSlots): Promise<ProbeOutcome> {
    const source = requireNonEmptyString(slots, 'source', NAME);
    const path = requireNonEmptyString(slots, 'path', NAME);
    // Under a directory an earlier probe of this run found missing (and planned to create),
    // there is nothing to look at: the lock keeps other runs out, and whatever another process
    // puts there meanwhile makes the step's mkdir or symlink fail before it touches anything.
    const current = ctx.memo?.isPlannedDirectory(dirname(path)) === true ? MISSING : await inspect(path);
    if (current.type === 'missing') {
      const blocked = await parentConflict(path, ctx.memo);
      if (blocked !== undefined) return blocked;
      const resolved = resolveLinkSource(source, path);
      const exists = ctx.memo?.isListed(resolved) === true || lstatOrUndefined(resolved) !== undefined;
      if (!exists) return { kind: 'create', target: path, detail: `source ${source} does not exist` };
      if (ctx.memo === undefined) return { kind: 'create', target: path };
      const createdDirs = plannedMissingAncestors(dirname(path), ctx.memo);
      // Frozen: do() registers this very object, and the journal knows it by identity.
      const undo = deepFreeze(placeUndo(path, MISSING, null, { type: 'symlink', link_target: source }, createdDirs));
      ctx.memo.noteFree(path, { createdDirs, undo });
      return { kind: 'create', target: path, undo };
    }
    if (current.type === 'symlink' && current.link_target === source)
      return { kind: 'ok-already', target: path };
    return conflictWith(path, current);
  },
};

const MISSING: TargetState = { type: 'missing' };

function linkRequest(source: string, path: string, onConflict: OnConflict): PlaceRequest {
  return {
    path,
    placed: { type: 'symlink', link_target: source },
    write: (p, prior) => writeLink(source, p, prior),
    disposable: onConflict === 'overwrite',
  };
}

function placed(undo: PlaceUndo | undefined): ActionOutput {
  return undo === undefined ? {} : { undo };
}

/**
 * Creating a link on a free path is atomic by itself (and fails if something appeared since the
 * inspection); only replacing needs the temp-link-and-rename dance.
 */
function writeLink(source: string, path: string, prior: StateRecord): void {
  if (prior.type === 'missing') symlinkSync(source, path);
  else atomicSymlink(source, path);
}
