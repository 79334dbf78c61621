import { WritLoreError, type JsonObject, type JsonValue } from '../../graph/index.js';
import type { BackupRef } from '../backup.js';
import { isBackupRef, isObject, isStringArray } from '../net/download-state.js';

/** The undo state of `archive.extract`: exactly what it created and what it displaced. */
export interface ExtractUndo extends JsonObject {
  /** The destination directory. */
  readonly path: string;
  /** Absolute paths created (directories, files, links), in creation order. */
  readonly created: readonly string[];
  /**
   * Items displaced into the backup store, journalled before they moved: on undo an item that
   * is not in the store never moved, and its path is left alone.
   */
  readonly displaced: readonly BackupRef[];
}

/** Checks undo state read back from a journal or receipt. */
export function parseExtractUndo(value: JsonValue): ExtractUndo {
  if (
    isObject(value) &&
    typeof value['path'] === 'string' &&
    isStringArray(value['created']) &&
    Array.isArray(value['displaced']) &&
    value['displaced'].every((ref) => isBackupRef(ref))
  ) {
    return value as ExtractUndo;
  }
  throw new WritLoreError('invalid-input', `archive.extract: malformed undo state ${JSON.stringify(value)}`);
}
