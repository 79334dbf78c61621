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
  /**
   * True when the item was displaced under the `overwrite` resolution: it is kept for the run
   * (so rollback can restore it) but `receipts prune` may drop it early.
   */
  readonly disposable?: boolean;
}

/** Options of {@link BackupStore.save}. */
export interface BackupSaveOptions {
  /**
   * The id to store the item under, chosen by the caller so that it can be journalled (as undo
   * state) before the item moves. Default: a fresh unique id.
   */
  readonly id?: string;
  /** Mark the backup disposable (see {@link BackupRef.disposable}). Default false. */
  readonly disposable?: boolean;
}

/**
 * Keeps what an action displaces so that nothing a user had is lost. Implemented over a
 * directory (the receipts layer places it under the state dir).
 */
export interface BackupStore {
  /** The directory backups live in. */
  readonly root: string;
  /** Moves `path` into the store (or copies it when `how` is `copy`) and returns its reference. */
  save(path: string, how?: 'move' | 'copy', options?: BackupSaveOptions): Promise<BackupRef>;
  /** Puts a backed-up item back at its original place (or at `to`). */
  restore(ref: BackupRef, to?: string): Promise<void>;
}
