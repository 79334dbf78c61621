import type { JsonObject } from '../graph/index.js';

/**
 * A reference to something saved in a BackupStore; plain JSON so it can live in undo state
 * and receipts.
 */
export interface BackupRef extends JsonObject {
  /** Path inside the store, relative to its root. */
  readonly id: string;
  /** Where the item was. */
  readonly original: string;
  readonly type: 'file' | 'directory' | 'symlink';
}

/**
 * Keeps what an action displaces so that nothing a user had is lost. Implemented over a
 * directory (the receipts layer places it under the state dir).
 */
export interface BackupStore {
  /** The directory backups live in. */
  readonly root: string;
  /** Moves `path` into the store (or copies it when `how` is `copy`) and returns its reference. */
  save(path: string, how?: 'move' | 'copy'): Promise<BackupRef>;
  /** Puts a backed-up item back at its original place (or at `to`). */
  restore(ref: BackupRef, to?: string): Promise<void>;
}
