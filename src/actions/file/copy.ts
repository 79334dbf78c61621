import { readFile } from 'node:fs/promises';
import { WritLoreError, type JsonValue } from '../../graph/index.js';
import { atomicWriteFile, digestBytes, formatMode, parseMode } from '../fs-state.js';
import type {
  ActionContext,
  ActionOutput,
  CompensableAction,
  ProbeContext,
  ProbeOutcome,
  ResolvedSlots,
} from '../types.js';
import { isPlaced, place, undoPlace } from './place.js';
import { conflictWith, inspect, parentConflict } from './probe.js';
import { optionalNonEmptyString, requireBytes, requireNonEmptyString } from '../slot-values.js';
import { contentBytes, onConflictSlot } from './slots.js';
import { parseFileUndo } from './undo-state.js';

/** What a copy or write puts at its target. */
interface Payload {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly mode: string;
  readonly sourceDigest?: string;
}

/** Writes a payload atomically (backing up what was there) and reports digests. */
async function writePayload(
  ctx: ActionContext,
  slots: ResolvedSlots,
  name: string,
  payload: Payload,
): Promise<ActionOutput> {
  const digest = digestBytes(payload.bytes);
  const numericMode = parseMode(payload.mode);
  const undo = await place(ctx, {
    path: payload.path,
    placed: { type: 'file', digest, mode: formatMode(numericMode) },
    write: (p) => atomicWriteFile(p, payload.bytes, numericMode),
    disposable: onConflictSlot(slots, name) === 'overwrite',
  });
  const digests =
    payload.sourceDigest === undefined
      ? { target: digest }
      : { source: payload.sourceDigest, target: digest };
  const result = { path: payload.path, digest };
  return undo === undefined ? { result, digests } : { result, digests, undo };
}

/** Predicts a copy or write: create, ok-already (same bytes and mode) or conflict. */
async function probePayload(
  ctx: ProbeContext,
  path: string,
  bytes: Uint8Array | undefined,
  mode: string,
): Promise<ProbeOutcome> {
  const current = await inspect(path);
  const digest = bytes === undefined ? undefined : digestBytes(bytes);
  if (current.type === 'missing') {
    const blocked = await parentConflict(path, ctx.memo);
    if (blocked !== undefined) return blocked;
    return digest === undefined
      ? { kind: 'create', target: path }
      : { kind: 'create', target: path, detail: digest };
  }
  if (
    digest !== undefined &&
    isPlaced(current, { type: 'file', digest, mode: formatMode(parseMode(mode)) })
  ) {
    return { kind: 'ok-already', target: path };
  }
  return conflictWith(path, current);
}

/** Undo for copy and write. */
function undoFile(name: string) {
  return async (ctx: ActionContext, state: JsonValue): Promise<void> => {
    const undo = parseFileUndo(state, name);
    if (undo.kind !== 'place')
      throw new WritLoreError('invalid-input', `${name}: cannot undo a "${undo.kind}" state`);
    await undoPlace(ctx, undo);
  };
}

/** Bytes of a copy: the `content` slot, else the file named by `source`. */
async function copyPayload(slots: ResolvedSlots): Promise<Payload> {
  const name = 'file.copy';
  const path = requireNonEmptyString(slots, 'path', name);
  const mode = optionalNonEmptyString(slots, 'mode', name) ?? '0644';
  const content = contentBytes(slots);
  if (content !== undefined) return { path, bytes: content, mode };
  const source = optionalNonEmptyString(slots, 'source', name);
  if (source === undefined) {
    throw new WritLoreError('invalid-slot', `${name}: needs a "content" or a "source" slot`, {
      path,
    });
  }
  const bytes = await readFile(source).catch((cause: unknown) => {
    throw new WritLoreError('action-failed', `${name}: cannot read source ${source}`, {
      path: source,
      cause,
    });
  });
  return { path, bytes, mode, sourceDigest: digestBytes(bytes) };
}

/** `file.copy`: writes `content` (or the bytes of `source`) to `path` with `mode`, atomically. */
export const copyAction: CompensableAction = {
  name: 'file.copy',
  spec: {
    required: ['path'],
    optional: ['source', 'content', 'mode', 'on_conflict'],
    writes: ['path'],
  },
  async do(ctx, slots) {
    return writePayload(ctx, slots, 'file.copy', await copyPayload(slots));
  },
  undo: undoFile('file.copy'),
  async probe(ctx: ProbeContext, slots) {
    const path = requireNonEmptyString(slots, 'path', 'file.copy');
    const mode = optionalNonEmptyString(slots, 'mode', 'file.copy') ?? '0644';
    // Content still to come from another node (a promise slot) is simply not known yet; an
    // unreadable source is an error the preflight reports as "unprobed".
    const known = slots['content'] !== undefined || typeof slots['source'] === 'string';
    const bytes = known ? (await copyPayload(slots)).bytes : undefined;
    return probePayload(ctx, path, bytes, mode);
  },
};

/** `file.write`: writes the string `content` to `path` with `mode`, atomically. */
export const writeAction: CompensableAction = {
  name: 'file.write',
  spec: { required: ['path', 'content'], optional: ['mode', 'on_conflict'], writes: ['path'] },
  async do(ctx, slots) {
    const path = requireNonEmptyString(slots, 'path', 'file.write');
    const mode = optionalNonEmptyString(slots, 'mode', 'file.write') ?? '0644';
    const bytes = requireBytes(slots, 'content', ctx.nodeId);
    return writePayload(ctx, slots, 'file.write', { path, bytes, mode });
  },
  undo: undoFile('file.write'),
  async probe(ctx: ProbeContext, slots) {
    const path = requireNonEmptyString(slots, 'path', 'file.write');
    const mode = optionalNonEmptyString(slots, 'mode', 'file.write') ?? '0644';
    return probePayload(ctx, path, contentBytes(slots), mode);
  },
};
