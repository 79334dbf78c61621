import { mkdir, rmdir } from 'node:fs/promises';
import { WritLoreError } from '../../graph/index.js';

/** Creates each of `dirs` (outermost first, as {@link missingAncestors} lists them). */
export async function createDirectories(dirs: readonly string[], mode = 0o755): Promise<void> {
  for (const dir of dirs) {
    try {
      await mkdir(dir, { mode });
    } catch (error) {
      // Someone else created it meanwhile: it is theirs now, which undo tolerates (not empty).
      if (!isCode(error, 'EEXIST')) throw error;
    }
  }
}

/**
 * Removes each of `dirs` that still exists and is empty, innermost first. A directory that is
 * not empty holds something that is not ours, so it stays; the caller gets its name.
 */
export async function removeEmptyDirectories(dirs: readonly string[]): Promise<string[]> {
  const kept: string[] = [];
  for (const dir of [...dirs].reverse()) {
    try {
      await rmdir(dir);
    } catch (error) {
      // ENOTDIR: a parent is not a directory, so this one was never made (or is not ours).
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) continue;
      if (isCode(error, 'ENOTEMPTY') || isCode(error, 'EEXIST')) {
        kept.push(dir);
        continue;
      }
      throw error;
    }
  }
  return kept;
}

/** `undefined` for ENOENT (the path is missing); rethrows anything else. */
export function ignoreMissing(error: unknown): undefined {
  if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined;
  throw error;
}

/** True when `error` is a Node system error with `code`. */
export function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** Wraps a filesystem failure in a WritLoreError that says what and where. */
export function fsFailure(what: string, path: string, error: unknown): WritLoreError {
  const reason = error instanceof Error ? error.message : String(error);
  return new WritLoreError('action-failed', `${what} ${path} failed: ${reason}`, {
    path,
    cause: error,
  });
}
