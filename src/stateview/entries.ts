import { UNDO_REPLAY_ACTION } from '../actions/index.js';
import type { NodeStatus, Tool } from '../graph/index.js';
import type { FileEvent, FileKind, PackageEvent } from './digest.js';

/** One thing that happened to a file: the event plus when and by which receipt. */
export interface FileRecord extends Omit<FileEvent, 'path'> {
  /** The receipt's time (the graph timestamp). */
  readonly time: string;
  /** The receipt's stem. */
  readonly receipt: string;
  readonly tool: Tool;
}

/** A file target and its full history, oldest first. */
export interface FileEntry {
  /** Absolute target path. */
  readonly path: string;
  readonly history: readonly FileRecord[];
  /** The records newest first, when the entry can give them without building its whole history. */
  newestFirst?(): Iterable<FileRecord>;
}

/** One thing that happened to a package. */
export interface PackageRecord extends Omit<PackageEvent, 'name'> {
  readonly time: string;
  readonly receipt: string;
  readonly tool: Tool;
}

/** A package and its full history, oldest first. */
export interface PackageEntry {
  readonly name: string;
  readonly history: readonly PackageRecord[];
}

// Statuses after which the effect is in place: completed (and failed nodes may have acted).
const IN_PLACE: ReadonlySet<NodeStatus> = new Set(['completed']);

/** The latest record of an entry's history. */
export function lastRecord<R>(entry: { readonly history: readonly R[] }): R | undefined {
  return entry.history[entry.history.length - 1];
}

/**
 * The latest record whose effect stayed in place (completed, not compensated or failed). A
 * replayed undo (`receipt.undo`, by a rollback or a remove) that ran, or was skipped as already
 * undone, puts the path back as it was before the run it names: that run's record and every
 * record since (later runs that found it in place) no longer count. Without a name it is a
 * removal: nothing is deployed there.
 */
export function lastEffective(entry: FileEntry): FileRecord | undefined {
  const undone = new Set<string>();
  for (const record of entry.newestFirst?.() ?? newestFirst(entry.history)) {
    if (record.action === UNDO_REPLAY_ACTION) {
      if (record.status !== 'completed' && record.status !== 'skipped') continue;
      if (record.undoes === undefined) return record;
      undone.add(record.undoes);
    } else if (undone.size > 0) {
      undone.delete(record.receipt);
    } else if (IN_PLACE.has(record.status)) {
      return record;
    }
  }
  return undefined;
}

function* newestFirst<R>(history: readonly R[]): Iterable<R> {
  for (let index = history.length - 1; index >= 0; index -= 1) yield history[index] as R;
}

/** What the receipts say is at a path now: its kind, or undefined when nothing is deployed. */
export function deployedKind(entry: FileEntry): FileKind | undefined {
  const record = lastEffective(entry);
  if (record === undefined || record.kind === 'removal') return undefined;
  return record.kind;
}

/** True when the last effective action linked the path. */
export function isLinked(entry: FileEntry): boolean {
  return deployedKind(entry) === 'link';
}

/** True when the last effective action copied or wrote content to the path. */
export function isCopied(entry: FileEntry): boolean {
  const kind = deployedKind(entry);
  return kind === 'copy' || kind === 'write';
}

/** True when the deployed content came from a decrypted secret. */
export function isSecret(entry: FileEntry): boolean {
  return lastEffective(entry)?.isSecret === true;
}

/** The version installed now, when the last effective record is a completed install. */
export function installedVersion(entry: PackageEntry): string | undefined {
  return currentPackage(entry)?.version;
}

/** True when the package's last completed record is an install or an upgrade. */
export function isInstalled(entry: PackageEntry): boolean {
  return currentPackage(entry) !== undefined;
}

/**
 * The record of what is installed now (the last completed record, when it installed or
 * upgraded), in `prefix` when given (lore records carry one; package-manager ones do not).
 */
export function currentPackage(entry: PackageEntry, options: { readonly prefix?: string | undefined } = {}): PackageRecord | undefined {
  const isScoped = 'prefix' in options;
  for (let index = entry.history.length - 1; index >= 0; index -= 1) {
    const record = entry.history[index];
    if (record?.status !== 'completed' || (isScoped && record.prefix !== options.prefix)) continue;
    return record.action === 'remove' ? undefined : record;
  }
  return undefined;
}
