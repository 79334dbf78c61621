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
    return assertText(readFileSync(fd, 'utf8'), path);
  } catch (error) {
    if (error instanceof WritLoreError) throw error;
    throw new WritLoreError('invalid-input', `cannot read ${path}`, { path, cause: error });
  } finally {
    closeSync(fd);
  }
}

/** C0 controls but tab, LF and CR, and DEL: YAML does not allow them, and no settings file has them. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * `text` when it is text; a control character (a NUL byte of a binary file, an escape sequence)
 * is an error naming its line. YAML would read `#` and a NUL byte as an empty document.
 */
function assertText(text: string, path: string): string {
  const found = CONTROL.exec(text);
  if (found === null) return text;
  const line = text.slice(0, found.index).split('\n').length;
  const code = (found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  throw new WritLoreError('invalid-input', `contains a control character (U+${code}); a settings file is text`, { path, line });
}
