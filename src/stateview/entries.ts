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
  /** The latest record with `status`, when the entry can find it without building its history. */
  lastWithStatus?(status: NodeStatus): FileRecord | undefined;
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

/** The latest record whose effect stayed in place (completed, not compensated or failed). */
export function lastEffective(entry: FileEntry): FileRecord | undefined {
  if (entry.lastWithStatus !== undefined) return entry.lastWithStatus('completed');
  for (let index = entry.history.length - 1; index >= 0; index -= 1) {
    const record = entry.history[index];
    if (record !== undefined && IN_PLACE.has(record.status)) return record;
  }
  return undefined;
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

/** True when the package's last completed record is an install. */
export function isInstalled(entry: PackageEntry): boolean {
  return currentPackage(entry) !== undefined;
}

function currentPackage(entry: PackageEntry): PackageRecord | undefined {
  for (let index = entry.history.length - 1; index >= 0; index -= 1) {
    const record = entry.history[index];
    if (record?.status === 'completed') return record.action === 'install' ? record : undefined;
  }
  return undefined;
}
