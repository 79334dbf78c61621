import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** One path in a {@link TreeSnapshot}. */
export type TreeEntry =
  | {
      readonly type: 'file';
      readonly mode: string;
      readonly size: number;
      readonly digest: string;
      readonly text?: string;
    }
  | { readonly type: 'directory'; readonly mode: string }
  | { readonly type: 'symlink'; readonly link_target: string }
  | { readonly type: 'other'; readonly mode: string };

/**
 * Everything under a directory: relative POSIX path (`.` for the root itself) → type, mode,
 * size, SHA-256 digest (and the text, for small UTF-8 files, so that diffs read well) or link
 * target. Keys are sorted, so `expect(after).toEqual(before)` compares whole trees.
 */
export type TreeSnapshot = Readonly<Record<string, TreeEntry>>;

/** Options of {@link snapshotTree}. */
export interface SnapshotOptions {
  /** Leave out paths (relative, POSIX) for which this returns true, and everything under them. */
  readonly ignore?: (path: string) => boolean;
  /** Files up to this many bytes that are valid UTF-8 also record their text. Default 4096. */
  readonly textLimit?: number;
}

/** Records every path under `dir` (symlinks are not followed). */
export async function snapshotTree(
  dir: string,
  options: SnapshotOptions = {},
): Promise<TreeSnapshot> {
  const entries: Array<[string, TreeEntry]> = [];
  await walk(dir, dir, entries, options);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

async function walk(
  root: string,
  path: string,
  out: Array<[string, TreeEntry]>,
  options: SnapshotOptions,
): Promise<void> {
  const name = relative(root, path).split(sep).join('/') || '.';
  if (name !== '.' && options.ignore?.(name) === true) return;
  const stats = await lstat(path);
  const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
  if (stats.isSymbolicLink()) {
    out.push([name, { type: 'symlink', link_target: await readlink(path) }]);
  } else if (stats.isDirectory()) {
    out.push([name, { type: 'directory', mode }]);
    for (const child of await readdir(path)) await walk(root, join(path, child), out, options);
  } else if (stats.isFile()) {
    out.push([name, await fileEntry(path, mode, options.textLimit ?? 4096)]);
  } else {
    out.push([name, { type: 'other', mode }]);
  }
}

async function fileEntry(path: string, mode: string, textLimit: number): Promise<TreeEntry> {
  const bytes = await readFile(path);
  const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
  const entry = { type: 'file', mode, size: bytes.length, digest } as const;
  if (bytes.length > textLimit) return entry;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { ...entry, text } : entry;
}

/** Paths that differ between two snapshots (added, removed or changed), sorted. */
export function diffSnapshots(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...paths].filter((p) => JSON.stringify(before[p]) !== JSON.stringify(after[p])).sort();
}
