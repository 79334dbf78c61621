import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as DiffModule from 'diff';

/** One side of a diff: text, bytes, or `null` when the file does not exist. */
export type DiffSide = string | Uint8Array | null;

/** How {@link unifiedDiff} treats the content. */
export interface UnifiedDiffOptions {
  /**
   * The content is secret (decrypted material): only digests are shown, never a line of it.
   * Default `false`.
   */
  readonly secret?: boolean;
  /** Lines of context around each change. Default 3. */
  readonly context?: number;
}

/** Git's heuristic: a NUL byte in the first 8000 bytes means binary. */
const BINARY_PROBE_BYTES = 8000;

/**
 * A unified diff (`--- a/path`, `+++ b/path`, hunks) between what is at `path` now and what
 * would be written. Returns `''` when both sides are equal. Binary content gives one
 * "Binary files … differ" line; secret content gives digests only.
 */
export function unifiedDiff(
  path: string,
  oldContent: DiffSide,
  newContent: DiffSide,
  options: UnifiedDiffOptions = {},
): string {
  const oldBytes = toBytes(oldContent);
  const newBytes = toBytes(newContent);
  if (sameBytes(oldBytes, newBytes)) return '';
  const oldName = oldBytes === null ? '/dev/null' : `a/${stripSlash(path)}`;
  const newName = newBytes === null ? '/dev/null' : `b/${stripSlash(path)}`;
  if (options.secret === true) {
    return `Secret ${path} differs: ${describeDigest(oldBytes)} -> ${describeDigest(newBytes)}\n`;
  }
  const oldText = decodeText(oldBytes);
  const newText = decodeText(newBytes);
  if (oldText === undefined || newText === undefined) {
    return `Binary files ${oldName} and ${newName} differ\n`;
  }
  // Loaded on first use: only `--diff` and `writ diff` need the diff library.
  const { formatPatch, structuredPatch } = createRequire(import.meta.url)('diff') as typeof DiffModule;
  const patch = structuredPatch(oldName, newName, oldText, newText, undefined, undefined, {
    context: options.context ?? 3,
  });
  return formatPatch(patch, { includeIndex: false, includeUnderline: false, includeFileHeaders: true });
}

/** `sha256:` + hex of `bytes`. */
function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function describeDigest(bytes: Uint8Array | null): string {
  return bytes === null ? '(missing)' : digestOf(bytes);
}

function toBytes(side: DiffSide): Uint8Array | null {
  if (side === null) return null;
  return typeof side === 'string' ? Buffer.from(side, 'utf8') : side;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** UTF-8 text for a textual side (`''` for a missing one); undefined when the bytes are binary. */
function decodeText(bytes: Uint8Array | null): string | undefined {
  if (bytes === null) return '';
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    // A decoding failure is the answer we ask for: invalid UTF-8 is shown as binary.
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

function stripSlash(path: string): string {
  return path.replace(/^\/+/, '');
}
