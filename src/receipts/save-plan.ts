import { readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isDirectoryFollowingLinks, lstatOrUndefined } from '../actions/index.js';
import { WritLoreError, sealGraph, type Graph } from '../graph/index.js';
import { writeFileAtomic } from './atomic.js';
import type { KeyStore } from './keys.js';

/**
 * Saves a plan for `--out` (DESIGN.md §3): sealed with a checksum for the file's name, and
 * signed when a signing key exists. Returns the checksum and whether it was signed.
 */
export async function savePlan(
  file: string,
  plan: Graph,
  keys: KeyStore | undefined,
): Promise<{ readonly checksum: string; readonly signed: boolean }> {
  const key = await keys?.signingKey();
  const basename = path.basename(file);
  const sealed = sealGraph(plan, { basename, ...(key === undefined ? {} : { secretKey: key.secretKey }) });
  await writeFileAtomic(outputPath(path.resolve(file)), sealed.bytes);
  return { checksum: sealed.graph.checksum ?? '', signed: key !== undefined };
}

/** Symbolic links followed when saving through one (as the kernel allows). */
const MAX_LINKS = 40;

/**
 * Where the plan's bytes go for `file`: `file` itself when it is missing or a regular file; the
 * file a symbolic link (chain) leads to, so that the link stays a link (the checksum still binds
 * the name given); an error for anything else. Writing atomically means renaming over the
 * path, which would replace a link, a FIFO or a device node (`--out /dev/null` as root) with a
 * regular file.
 */
function outputPath(file: string): string {
  let current = file;
  for (let hops = 0; hops <= MAX_LINKS; hops += 1) {
    const stats = lstatOrUndefined(current);
    if (stats === undefined) return inExistingDirectory(current);
    if (stats.isFile()) return current;
    if (!stats.isSymbolicLink()) {
      throw new WritLoreError('invalid-input', `${kindOf(stats)}, not a regular file: the plan was not saved`, {
        path: current,
        hint: 'give --out the path of a new or regular file',
      });
    }
    current = path.resolve(path.dirname(current), readlinkSync(current));
  }
  throw new WritLoreError('invalid-input', `${file}: too many levels of symbolic links: the plan was not saved`, { path: file });
}

/**
 * Where a plan file may be written (a new file, a regular file, or what a symbolic link leads
 * to), or a one-line error saying why not; nothing is written. `savePlan` checks the same, and
 * a command calls this first to refuse a bad `--out` before it prints anything.
 */
export function checkPlanOutput(file: string): void {
  outputPath(path.resolve(file));
}

/** `file` (missing) when its directory exists, else the error naming that directory. */
function inExistingDirectory(file: string): string {
  const dir = path.dirname(file);
  if (isDirectoryFollowingLinks(dir)) return file;
  const why = lstatOrUndefined(dir) === undefined ? 'no such directory' : 'not a directory';
  throw new WritLoreError('invalid-input', `${why}: the plan was not saved to ${file}`, { path: dir, hint: 'give --out a file in an existing directory' });
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

