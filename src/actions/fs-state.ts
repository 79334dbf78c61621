import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  lstatSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WritLoreError, type JsonValue } from '../graph/index.js';
import type { TargetState } from './types.js';

/** The marker in the names of temporary files and links written next to their target. */
export const TEMP_MARKER = '.writ-tmp-';

/** `sha256:` + hex of `bytes`. */
export function digestBytes(bytes: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** `sha256:` + hex of a file's bytes, read as a stream so large files cost little memory. */
export async function digestFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return 'sha256:' + hash.digest('hex');
}

/** A numeric permission mode as an octal string (`0o644` → `"0644"`). */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** An octal mode string (`"0644"`, `"644"`) as a number; anything else is an `invalid-slot`. */
export function parseMode(mode: string): number {
  if (!/^0?[0-7]{3,4}$/.test(mode)) {
    throw new WritLoreError('invalid-slot', `invalid file mode ${JSON.stringify(mode)}`, {
      hint: 'write modes as octal strings such as "0644" or "0600"',
    });
  }
  return parseInt(mode, 8);
}

/**
 * The `lstat` of `path`, or undefined when nothing is there (no exception on the hot path). A
 * path under a regular file (`ENOTDIR`) holds nothing either.
 */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * What one run has learnt about the filesystem while it holds the run lock, so that a step
 * does not look again at what a probe or an earlier step of the same run just saw: target
 * paths a probe found free (their source present), directories known to exist, and items
 * the run's planner has just listed (the sources of links).
 *
 * Only sound under the run lock, for one run (a fresh memo per run): another writ run cannot
 * change the target meanwhile, and what another process might do is caught anyway, because
 * creating a link or a directory entry on a path fails when something appeared there.
 */
export class FsMemo {
  /** Free target paths, each with what its probe planned (or {@link UNPLANNED}). */
  readonly #free = new Map<string, PlannedStep>();
  readonly #directories = new Set<string>();
  /** Missing directories an earlier probe of this run planned to create. */
  readonly #planned = new Set<string>();
  /** Items the planner listed moments before the run (see {@link noteListed}). */
  readonly #listed = new Set<string>();
  /** Directories a step of this run made. */
  readonly #made = new Set<string>();

  /**
   * Records that a probe found nothing at `path` (and the item to place there available), and
   * what it planned for its step: the missing directories to create and the undo state
   * predicted (default: nothing planned, the step looks when it runs).
   */
  noteFree(path: string, planned?: PlannedStep): void {
    this.#free.set(path, planned ?? UNPLANNED);
  }

  /**
   * For a step that follows its probe's plan: the plan when a probe found `path` free and
   * noted one, else undefined. Answers once (the caller is about to fill the path).
   */
  takePlannedFree(path: string): PlannedStep | undefined {
    const planned = this.#free.get(path);
    if (planned === undefined) return undefined;
    this.#free.delete(path);
    return planned === UNPLANNED ? undefined : planned;
  }

  /** Whether `path` is still noted free (the run has not forgotten it and its step has not run). */
  isFree(path: string): boolean {
    return this.#free.has(path);
  }

  /** Forgets every free path (when some step of the run may fill one before its owner runs). */
  forgetFree(): void {
    this.#free.clear();
  }

  /** Records that `dir` is an existing directory (seen by lstat, or created by this run). */
  noteDirectory(dir: string): void {
    this.#directories.add(dir);
  }

  /** Whether `dir` is known to be an existing directory. */
  hasDirectory(dir: string): boolean {
    return this.#directories.has(dir);
  }

  /** Records that a probe planned to create the missing directory `dir`. */
  notePlannedDirectory(dir: string): void {
    this.#planned.add(dir);
  }

  /** Records that a step of this run made the directory `dir` (it is also an existing one now). */
  noteMade(dir: string): void {
    this.#made.add(dir);
    this.#directories.add(dir);
  }

  /** Whether a step of this run made `dir` (as opposed to finding it). */
  isMade(dir: string): boolean {
    return this.#made.has(dir);
  }

  /** Whether an earlier probe planned to create `dir`. */
  isPlannedDirectory(dir: string): boolean {
    return this.#planned.has(dir);
  }

  /**
   * Records that the plan this run executes was built from a listing that showed `path`
   * (writ's scan of the repository, moments ago): a probe need not look whether it exists.
   * The probe's check was only ever a point in time: an item removed after the listing is
   * missed as one removed between a probe and its step always was (a link then dangles).
   */
  noteListed(path: string): void {
    this.#listed.add(path);
  }

  /** Whether `path` was listed by the planner of this run (see {@link noteListed}). */
  isListed(path: string): boolean {
    return this.#listed.has(path);
  }
}

/** What a probe that found its path free planned for the step (see {@link FsMemo.noteFree}). */
export interface PlannedStep {
  /** The missing directories the step is to create, outermost first (see {@link plannedMissingAncestors}). */
  readonly createdDirs: readonly string[];
  /**
   * The undo state the step will register when it finds the path as the probe did, deep-frozen:
   * the step registers this very object, which the journal recognises by identity.
   */
  readonly undo: JsonValue;
}

/** A free path whose probe planned nothing: its step looks for missing directories itself. */
const UNPLANNED: PlannedStep = Object.freeze({ createdDirs: Object.freeze([]), undo: null });

/**
 * The missing directories a step placing an item in `dir` is to create, as planned by the
 * run's probes in plan order: the first step under a missing directory creates it, the later
 * ones find it made (each missing directory is looked at once and planned by one step). A step
 * that runs before the one that planned its parent finds the parent missing and falls back to
 * creating what is missing then (see place()).
 */
export function plannedMissingAncestors(dir: string, memo: FsMemo): string[] {
  const missing = missingBelow(dir, (known) => memo.hasDirectory(known) || memo.isPlannedDirectory(known), memo);
  for (const planned of missing) memo.notePlannedDirectory(planned);
  return missing;
}

/**
 * The directories `mkdir -p dir` would create, outermost first (empty when `dir` exists).
 * Creating exactly these, and later removing exactly these innermost first when empty, leaves
 * the tree as it was. With a `memo`, a directory it knows costs no lstat, and the existing
 * directory found is remembered.
 */
export function missingAncestors(dir: string, memo?: FsMemo): string[] {
  return missingBelow(dir, (known) => memo?.hasDirectory(known) === true, memo);
}

/**
 * `dir` and its ancestors that do not exist, outermost first: the walk up stops at a directory
 * `isKnown` vouches for (no lstat) or at the first path that exists (a directory found is noted
 * in `memo`).
 */
function missingBelow(dir: string, isKnown: (dir: string) => boolean, memo: FsMemo | undefined): string[] {
  return walkUp(dir, isKnown, memo).missing;
}

/**
 * The first existing ancestor of a target in `dir` (`dir` included) that is not a directory nor
 * a link to one: the item in the way of the target's parent directory (`~/.config` a regular
 * file, for `~/.config/git/config`). Undefined when there is none, or when the walk up reaches
 * a directory the run's memo knows or planned to create.
 */
export function blockingAncestor(dir: string, memo: FsMemo | undefined): string | undefined {
  const isKnown = (known: string): boolean => memo !== undefined && (memo.hasDirectory(known) || memo.isPlannedDirectory(known));
  const { stoppedAt } = walkUp(dir, isKnown, memo);
  return stoppedAt === undefined || isDirectoryFollowingLinks(stoppedAt) ? undefined : stoppedAt;
}

/**
 * The walk up from `dir`: the missing directories (outermost first), and the existing path it
 * stopped at when that is not a directory (a directory found is noted in `memo`; one `isKnown`
 * vouches for ends the walk without a look).
 */
function walkUp(dir: string, isKnown: (dir: string) => boolean, memo: FsMemo | undefined): { missing: string[]; stoppedAt?: string } {
  const missing: string[] = [];
  for (let current = dir; !isKnown(current); ) {
    const stats = lstatOrUndefined(current);
    if (stats !== undefined) {
      if (!stats.isDirectory()) return { missing, stoppedAt: current };
      memo?.noteDirectory(current);
      break;
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return { missing };
}

/** Whether `path` is a directory, or a symbolic link (chain) that leads to one. */
export function isDirectoryFollowingLinks(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Missing, a dangling or looping link, or a path through a file.
    return false;
  }
}

/** What is at `path` now, without following a final symlink; regular files are digested. */
export async function readTargetState(path: string): Promise<TargetState> {
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return { type: 'missing' };
  if (stats.isSymbolicLink()) return { type: 'symlink', link_target: readlinkSync(path) };
  if (stats.isDirectory()) return { type: 'directory', mode: formatMode(stats.mode) };
  if (stats.isFile()) {
    return { type: 'file', digest: await digestFile(path), mode: formatMode(stats.mode) };
  }
  return { type: 'other', mode: formatMode(stats.mode) };
}

/** True when two states describe the same thing (type, bytes, mode, link target). */
export function sameTargetState(a: TargetState, b: TargetState): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'missing':
      return true;
    case 'symlink':
      return a.link_target === b.link_target;
    case 'file':
      return a.digest === b.digest && a.mode === b.mode;
    case 'directory':
    case 'other':
      return a.mode === b.mode;
    default:
      return a.type satisfies never;
  }
}

/** A fresh temporary name next to `path` (`.<name>.writ-tmp-<random>`). */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
}

/** True when `name` (a base name) is a temporary sibling of a target named `target`. */
export function isTempSiblingOf(name: string, target: string): boolean {
  return name.startsWith(`.${basename(target)}${TEMP_MARKER}`);
}

/**
 * Writes `bytes` to `path` atomically: a temporary file in the same directory, fsynced, given
 * `mode` explicitly (the umask does not apply), then renamed over `path`. The temporary file
 * is removed if anything fails. The directory itself is not fsynced (a crash may lose the
 * rename, never leave a half-written target).
 */
export async function atomicWriteFile(
  path: string,
  bytes: Uint8Array | string,
  mode: number,
): Promise<void> {
  const temp = tempSibling(path);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(bytes);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch((cleanup: unknown) => reportCleanup(temp, cleanup));
    throw error;
  }
}

/**
 * Points `path` at `target` atomically: a temporary link in the same directory renamed over
 * `path`, so readers see the old link or the new one, never nothing. `path` must not be a
 * directory (rename cannot replace one with a link).
 */
export function atomicSymlink(target: string, path: string): void {
  const temp = tempSibling(path);
  symlinkSync(target, temp);
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch (cleanup) {
      reportCleanup(temp, cleanup);
    }
    throw error;
  }
}

/** A temp file we could not remove is not fatal (the original error matters); say so on stderr. */
function reportCleanup(temp: string, error: unknown): void {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
  process.emitWarning(`writ-lore: could not remove temporary file ${temp}: ${String(error)}`);
}
