import { WritLoreError, type JsonObject, type JsonValue } from '../../graph/index.js';
import type { BackupRef } from '../backup.js';

/** The undo state of `net.download`: enough to undo it from a receipt alone. */
export interface DownloadUndo extends JsonObject {
  /** The file written. */
  readonly path: string;
  /** `sha256:<hex>` of what was written; undo removes the file only while it still matches. */
  readonly sha256: string;
  /** Parent directories the download created, outermost first. */
  readonly created_dirs: readonly string[];
  /**
   * Where the item displaced from `path` goes. Journalled before the move, so on undo the
   * item may still be at `path` (the move never happened) or in the store.
   */
  readonly backup: BackupRef | null;
}

/** Checks undo state read back from a journal or receipt. */
export function parseDownloadUndo(value: JsonValue): DownloadUndo {
  if (
    isObject(value) &&
    typeof value['path'] === 'string' &&
    typeof value['sha256'] === 'string' &&
    isStringArray(value['created_dirs']) &&
    (value['backup'] === null || isBackupRef(value['backup']))
  ) {
    return value as DownloadUndo;
  }
  throw new WritLoreError('invalid-input', `net.download: malformed undo state ${JSON.stringify(value)}`);
}

/** True when `value` has the shape of a {@link BackupRef}. */
export function isBackupRef(value: JsonValue | undefined): value is BackupRef {
  return (
    isObject(value) &&
    typeof value['id'] === 'string' &&
    typeof value['original'] === 'string' &&
    (value['type'] === 'file' || value['type'] === 'directory' || value['type'] === 'symlink')
  );
}

/** True when `value` is a JSON object (not an array, not null). */
export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is an array of strings. */
export function isStringArray(value: JsonValue | undefined): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
