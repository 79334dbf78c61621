import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { WritLoreError, type ActionSpec, type JsonValue } from '../../graph/index.js';
import { lstatOrUndefined, readTargetState } from '../fs-state.js';
import { optionalNumber, requireString } from '../slot-values.js';
import type {
  ActionContext,
  ActionOutput,
  CompensableAction,
  ProbeContext,
  ProbeOutcome,
  ResolvedSlots,
} from '../types.js';
import { missingAncestors } from '../fs-state.js';
import type { PlannedEntry, RawEntry } from './entry.js';
import { parseExtractUndo, type ExtractUndo } from './extract-state.js';
import { detectFormat, readerFor } from './format.js';
import { applyInstall, planInstall } from './install.js';
import { listEntries, stageEntries } from './stage.js';
import { undoExtract } from './undo.js';
import { planEntries } from './validate.js';

/** Slots of `archive.extract`. */
export const EXTRACT_SPEC = {
  required: ['archive', 'path'],
  optional: ['strip'],
  writes: ['path'],
} as const satisfies ActionSpec;

/** The result of `archive.extract`. */
export interface ExtractResult {
  /** The destination directory. */
  readonly path: string;
  /** Member paths relative to `path`, in archive order. */
  readonly entries: readonly string[];
}

interface ExtractRequest {
  readonly archive: string;
  readonly destination: string;
  readonly strip: number;
}

function readRequest(ctx: ProbeContext, slots: ResolvedSlots): ExtractRequest {
  const strip = optionalNumber(slots, 'strip', ctx.nodeId) ?? 0;
  if (!Number.isSafeInteger(strip) || strip < 0) {
    throw new WritLoreError(
      'invalid-slot',
      `node "${ctx.nodeId}": slot "strip" must be a whole number ≥ 0, got ${strip}`,
    );
  }
  return {
    archive: resolve(requireString(slots, 'archive', ctx.nodeId)),
    destination: resolve(requireString(slots, 'path', ctx.nodeId)),
    strip,
  };
}

interface Inspection {
  readonly listed: RawEntry[];
  readonly planned: PlannedEntry[];
}

/** The validation pass: reads every header and checks every member; writes nothing. */
async function inspect(ctx: ProbeContext, request: ExtractRequest): Promise<Inspection> {
  const reader = readerFor(request.archive, await detectFormat(request.archive));
  const listed = await listEntries(reader, ctx.signal).catch((error: unknown) => {
    throw extractFailure(error, request.archive, ctx.signal);
  });
  return { listed, planned: planEntries(listed, { label: request.archive, strip: request.strip }) };
}

/** Our errors pass through; cancellation, filesystem trouble and damaged archives get a code. */
function extractFailure(error: unknown, archive: string, signal: AbortSignal): WritLoreError {
  if (signal.aborted) {
    return new WritLoreError('cancelled', `extracting ${archive} was cancelled`, { cause: error });
  }
  if (error instanceof WritLoreError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && 'syscall' in error) {
    return new WritLoreError('action-failed', `extracting ${archive} failed: ${reason}`, { path: archive, cause: error });
  }
  return new WritLoreError('invalid-input', `archive ${archive} cannot be read: ${reason}`, {
    path: archive,
    cause: error,
    hint: 'the archive is damaged or not what its name says',
  });
}

/** The destination may be missing, a directory, or a link the user made to a directory. */
function checkDestination(destination: string): void {
  const exists = lstatOrUndefined(destination) !== undefined;
  if (exists && statSync(destination, { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new WritLoreError('conflict', `archive.extract: destination ${destination} exists and is not a directory`, {
      path: destination,
      hint: 'move it away or choose another destination',
    });
  }
}

/** A private directory beside the destination (same filesystem, so members move by rename). */
function stagingPath(destination: string): string {
  const name = `.${basename(destination)}.writ-extract-${randomBytes(6).toString('hex')}`;
  return join(dirname(destination), name);
}

async function extract(ctx: ActionContext, slots: ResolvedSlots): Promise<ActionOutput> {
  const request = readRequest(ctx, slots);
  if (ctx.signal.aborted) throw extractFailure(ctx.signal.reason, request.archive, ctx.signal);
  checkDestination(request.destination);
  const inspection = await inspect(ctx, request);
  const roots = missingAncestors(dirname(request.destination));
  if (lstatOrUndefined(request.destination) === undefined) roots.push(request.destination);
  const install = planInstall(request.destination, inspection.planned);
  const created = [...roots, ...install.created];
  const state: ExtractUndo = { path: request.destination, created, displaced: install.displaced };
  await ctx.registerUndo(state);
  const staging = stagingPath(request.destination);
  try {
    for (const dir of roots) await mkdir(dir, { mode: 0o755 });
    await mkdir(staging, { mode: 0o700 });
    const reader = readerFor(request.archive, await detectFormat(request.archive));
    await stageEntries({ reader, ...inspection, staging, label: request.archive, signal: ctx.signal });
    const { destination } = request;
    await applyInstall({ plan: install, destination, staging, backups: ctx.backups, signal: ctx.signal });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    await undoExtract(ctx, state).catch((undoError: unknown) => {
      ctx.log.warn(`extracting ${request.archive} failed and was not fully undone: ${String(undoError)}`);
    });
    throw extractFailure(error, request.archive, ctx.signal);
  }
  await rm(staging, { recursive: true, force: true });
  const entries = inspection.planned.map((entry) => entry.path);
  const result: ExtractResult = { path: request.destination, entries };
  return { result, undo: state };
}

async function probeExtract(ctx: ProbeContext, slots: ResolvedSlots): Promise<ProbeOutcome> {
  const request = readRequest(ctx, slots);
  const target = request.destination;
  const current = await readTargetState(target);
  if (lstatOrUndefined(request.archive) === undefined) {
    // The archive may come from an upstream download that has not run yet.
    if (current.type === 'missing') return { kind: 'create', target };
    return { kind: 'replace', target, current, detail: 'the archive is not there yet' };
  }
  try {
    checkDestination(target);
    const { displaced } = planInstall(target, (await inspect(ctx, request)).planned);
    if (current.type === 'missing' || displaced.length === 0) return { kind: 'create', target };
    const detail = `${displaced.length} existing path(s) would be moved to the backup store`;
    return { kind: 'replace', target, current, detail };
  } catch (error) {
    if (!(error instanceof WritLoreError) || error.code === 'cancelled') throw error;
    return { kind: 'conflict', target, current, reason: error.message };
  }
}

/**
 * `archive.extract`: unpacks a .tar.gz/.tgz, .tar.xz, .tar or .zip into a directory after
 * checking every member stays inside it; undo removes exactly what was created.
 */
export const extractAction: CompensableAction = {
  name: 'archive.extract',
  spec: EXTRACT_SPEC,
  do: extract,
  undo: (ctx: ActionContext, raw: JsonValue) => undoExtract(ctx, parseExtractUndo(raw)),
  probe: probeExtract,
};
