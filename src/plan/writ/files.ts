import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { WritLoreError } from '../../graph/index.js';

/**
 * The largest settings file (`writ.yaml`, `.writignore`) read: a real one is a few hundred
 * bytes, and parsing tens of megabytes of YAML would take minutes and gigabytes.
 */
export const SETTINGS_FILE_LIMIT = 1024 * 1024;

/** A file's text, or undefined when it does not exist; larger than {@link SETTINGS_FILE_LIMIT} is an error. */
export function readOptional(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WritLoreError('invalid-input', `cannot read ${path}`, { path, cause: error });
  }
  try {
    const { size } = fstatSync(fd);
    if (size > SETTINGS_FILE_LIMIT) {
      const megabytes = (size / 1024 / 1024).toFixed(1);
      throw new WritLoreError('invalid-input', `${megabytes} MiB is too large for a settings file (the limit is 1 MiB)`, { path });
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof WritLoreError) throw error;
    throw new WritLoreError('invalid-input', `cannot read ${path}`, { path, cause: error });
  } finally {
    closeSync(fd);
  }
}
