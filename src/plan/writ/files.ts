import { readFileSync } from 'node:fs';
import { WritLoreError } from '../../graph/index.js';

/** A file's text, or undefined when it does not exist. */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WritLoreError('invalid-input', `cannot read ${path}`, { path, cause: error });
  }
}
