import { randomBytes } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { WritLoreError } from '../graph/index.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file. Default 0o644. */
  readonly mode?: number;
  /**
   * What to do when the target exists: `replace` it atomically (rename), or `fail` with
   * `EEXIST` (a hard link, which the kernel refuses to create over an existing name). Default
   * `replace`.
   */
  readonly ifExists?: 'replace' | 'fail';
  /**
   * Flush the file and its directory to disk (default true). Derived data that can be rebuilt
   * (caches) skips the two fsyncs; it stays atomic, just not durable across a power cut.
   */
  readonly durable?: boolean;
}

/**
 * Writes `data` to `target` so that a reader (or a crash) sees either the old state or the
 * whole new file: temp file in the same directory, fsync, rename or link, fsync the directory.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomicWith(target, options, (handle) => handle.writeFile(data));
}

/**
 * {@link writeFileAtomic} with the content written by `write` into the temporary file (open
 * for reading and writing, empty), for content produced a piece at a time; its result is
 * returned once the file is in place. A failure removes the temporary file.
 */
export async function writeFileAtomicWith<T>(
  target: string,
  options: AtomicWriteOptions,
  write: (handle: FileHandle) => T | Promise<T>,
): Promise<T> {
  const directory = path.dirname(target);
  const temp = path.join(directory, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx+', options.mode ?? 0o644);
  let result: T;
  try {
    result = await write(handle);
    if (options.durable !== false) await handle.sync();
  } catch (error) {
    await handle.close();
    await removeQuietly(temp, error);
    throw error;
  }
  await handle.close();
  try {
    if (options.ifExists === 'fail') {
      await fs.link(temp, target);
      await fs.unlink(temp);
    } else {
      await fs.rename(temp, target);
    }
  } catch (error) {
    await removeQuietly(temp, error);
    throw error;
  }
  if (options.durable !== false) await syncDirectory(directory);
  return result;
}

/** Flushes a directory's entries (a rename or unlink) to disk. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeQuietly(file: string, original: unknown): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (cleanup) {
    // The original failure is what the caller must see; the stray temp file is named in it.
    throw new WritLoreError('internal', `could not write ${file} and could not remove the temp file`, {
      path: file,
      cause: new AggregateError([original, cleanup]),
    });
  }
}
