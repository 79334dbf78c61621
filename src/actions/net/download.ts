import { chmod, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDuration, WritLoreError, type ActionSpec, type JsonValue } from '../../graph/index.js';
import type { BackupRef } from '../backup.js';
import { hasBackup, newBackupId } from '../backup-store.js';
import { digestFile, lstatOrUndefined, readTargetState, tempSibling } from '../fs-state.js';
import { optionalMode, optionalString, requireString } from '../slot-values.js';
import type {
  ActionContext,
  ActionOutput,
  CompensableAction,
  ProbeContext,
  ProbeOutcome,
  ResolvedSlots,
} from '../types.js';
import { normaliseSha256 } from './digest.js';
import { parseDownloadUndo, type DownloadUndo } from './download-state.js';
import { missingAncestors } from '../fs-state.js';
import { createDirectories, ignoreMissing, removeEmptyDirectories } from './parents.js';
import { parseSource, type DownloadSource } from './source.js';
import { transferToFile, type TransferTimeout } from './transfer.js';

/** Slots of `net.download`. */
export const DOWNLOAD_SPEC = {
  required: ['url', 'path', 'sha256'],
  optional: ['mode', 'timeout'],
  writes: ['path'],
} as const satisfies ActionSpec;

/** The result of `net.download`, handed to promise slots downstream. */
export interface DownloadResult {
  readonly path: string;
  /** `sha256:<hex>` of the file. */
  readonly sha256: string;
  readonly size: number;
}

interface DownloadRequest {
  /** The `url` slot as given, for messages. */
  readonly label: string;
  readonly source: DownloadSource;
  readonly path: string;
  readonly sha256: string;
  /** Permission bits from the `mode` slot; unset means 0644 for a new file, any for an existing one. */
  readonly mode?: number;
  readonly timeout?: TransferTimeout;
}

const DEFAULT_MODE = 0o644;

function readRequest(ctx: ProbeContext, slots: ResolvedSlots): DownloadRequest {
  const label = requireString(slots, 'url', ctx.nodeId);
  const mode = optionalMode(slots, 'mode', ctx.nodeId);
  const request = {
    label,
    source: parseSource(label, `node "${ctx.nodeId}"`),
    path: resolve(requireString(slots, 'path', ctx.nodeId)),
    sha256: normaliseSha256(slots['sha256'], ctx.nodeId),
    ...(mode === undefined ? {} : { mode: mode & 0o777 }),
  };
  const timeout = optionalString(slots, 'timeout', ctx.nodeId);
  if (timeout === undefined) return request;
  return { ...request, timeout: { ms: parseDuration(timeout), text: timeout } };
}

/** The file at `path` when it already holds the wanted bytes (and the mode, when one is asked). */
async function alreadyThere(request: DownloadRequest): Promise<DownloadResult | undefined> {
  const stats = lstatOrUndefined(request.path);
  if (stats === undefined || !stats.isFile()) return undefined;
  if (request.mode !== undefined && (stats.mode & 0o777) !== request.mode) return undefined;
  if ((await digestFile(request.path)) !== request.sha256) return undefined;
  return { path: request.path, sha256: request.sha256, size: stats.size };
}

/** Where the item now at `path` will be displaced to, or null when `path` is free. */
function plannedBackup(path: string): BackupRef | null {
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return null;
  const type = stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'directory' : 'file';
  return { id: newBackupId(path), original: path, type };
}

async function download(ctx: ActionContext, slots: ResolvedSlots): Promise<ActionOutput> {
  const request = readRequest(ctx, slots);
  const existing = await alreadyThere(request);
  if (existing !== undefined) {
    ctx.log.info(`${request.path} already has ${request.sha256}`);
    return { result: existing, digests: { target: existing.sha256 } };
  }
  const dirs = missingAncestors(dirname(request.path));
  const backup = plannedBackup(request.path);
  const state: DownloadUndo = { path: request.path, sha256: request.sha256, created_dirs: dirs, backup };
  await ctx.registerUndo(state);
  await createDirectories(dirs);
  const temp = tempSibling(request.path);
  let displaced = false;
  try {
    const size = await fetchVerified(ctx, request, temp);
    if (backup !== null) {
      await ctx.backups.save(request.path, 'move', { id: backup.id });
      displaced = true;
    }
    await rename(temp, request.path);
    const result: DownloadResult = { path: request.path, sha256: request.sha256, size };
    return { result, undo: state, digests: { source: request.sha256, target: request.sha256 } };
  } catch (error) {
    await unlink(temp).catch(ignoreMissing);
    // Only the final rename can fail after the move: put the user's item back at once.
    if (backup !== null && displaced) await ctx.backups.restore(backup);
    await removeEmptyDirectories(dirs);
    throw error;
  }
}

/** Transfers into `temp`, checks the digest and sets the mode; returns the size. */
async function fetchVerified(ctx: ActionContext, request: DownloadRequest, temp: string): Promise<number> {
  const base = { source: request.source, label: request.label, target: temp };
  const options = request.timeout === undefined ? base : { ...base, timeout: request.timeout };
  const got = await transferToFile(ctx, options);
  if (got.sha256 !== request.sha256) {
    throw new WritLoreError(
      'integrity',
      `download ${request.label}: sha256 mismatch (expected ${request.sha256}, got ${got.sha256})`,
      { path: request.path, retryable: false, hint: 'the file changed upstream or the checksum is wrong' },
    );
  }
  await chmod(temp, request.mode ?? DEFAULT_MODE);
  return got.size;
}

async function undoDownload(ctx: ActionContext, raw: JsonValue): Promise<void> {
  const state = parseDownloadUndo(raw);
  const current = await readTargetState(state.path);
  const ours = current.type === 'file' && current.digest === state.sha256;
  const stored = state.backup !== null && hasBackup(ctx.backups, state.backup);
  if (ours) {
    await unlink(state.path);
  } else if (current.type !== 'missing' && (state.backup === null || stored)) {
    // What is at `path` is neither ours nor the original that never moved: it is someone
    // else's newer work, and removing it would lose it.
    throw new WritLoreError(
      'rollback-incomplete',
      `undo net.download: ${state.path} changed since it was downloaded; left in place`,
      {
        path: state.path,
        hint: stored ? `the original is kept in the backup store as ${state.backup?.id}` : 'remove it by hand',
      },
    );
  }
  if (state.backup !== null && stored) await ctx.backups.restore(state.backup);
  const kept = await removeEmptyDirectories(state.created_dirs);
  for (const dir of kept) ctx.log.warn(`undo net.download: kept ${dir}, no longer empty`);
}

async function probeDownload(ctx: ProbeContext, slots: ResolvedSlots): Promise<ProbeOutcome> {
  const request = readRequest(ctx, slots);
  const current = await readTargetState(request.path);
  if (current.type === 'missing') return { kind: 'create', target: request.path };
  if ((await alreadyThere(request)) !== undefined) return { kind: 'ok-already', target: request.path };
  return { kind: 'replace', target: request.path, current, digest: request.sha256 };
}

/**
 * `net.download`: fetches a URL (http, https, file, or a local path) into `path`, verifying a
 * required SHA-256 before anything is replaced; a displaced item goes to the backup store.
 */
export const downloadAction: CompensableAction = {
  name: 'net.download',
  spec: DOWNLOAD_SPEC,
  do: download,
  undo: undoDownload,
  probe: probeDownload,
};
