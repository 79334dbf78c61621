import { chmod, rmdir, unlink } from 'node:fs/promises';
import { errorMessage } from '../../graph/index.js';
import { hasBackup } from '../backup-store.js';
import { lstatOrUndefined } from '../fs-state.js';
import type { ActionContext } from '../types.js';
import { isCode } from '../net/parents.js';
import type { ExtractUndo } from './extract-state.js';
import { undoProblem } from './install.js';

/**
 * Removes exactly what the extraction created (deepest first; directories only when empty) and
 * puts displaced items back. Tolerates a state whose steps happened only in part: a path whose
 * displaced original never moved is left alone. Reports every problem at the end.
 */
export async function undoExtract(ctx: ActionContext, state: ExtractUndo): Promise<void> {
  const stored = new Set(state.displaced.filter((ref) => hasBackup(ctx.backups, ref)).map((ref) => ref.original));
  const neverMoved = new Set(state.displaced.map((ref) => ref.original).filter((path) => !stored.has(path)));
  const problems: string[] = [];
  await unlockDirectories(state.created);
  for (const path of [...state.created].reverse()) {
    if (neverMoved.has(path)) continue;
    const problem = await removeCreated(path);
    if (problem !== undefined) problems.push(problem);
  }
  for (const ref of [...state.displaced].reverse()) {
    if (!stored.has(ref.original)) continue;
    try {
      await ctx.backups.restore(ref);
    } catch (error) {
      problems.push(`could not restore ${ref.original}: ${errorMessage(error)}`);
    }
  }
  if (problems.length > 0) throw undoProblem(problems, state.path);
}

/** Directories we made read-only must accept removals again. */
async function unlockDirectories(created: readonly string[]): Promise<void> {
  for (const path of created) {
    const stats = lstatOrUndefined(path);
    if (stats?.isDirectory() === true && (stats.mode & 0o700) !== 0o700) await chmod(path, (stats.mode & 0o777) | 0o700);
  }
}

async function removeCreated(path: string): Promise<string | undefined> {
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return undefined;
  try {
    if (stats.isDirectory()) await rmdir(path);
    else await unlink(path);
    return undefined;
  } catch (error) {
    if (isCode(error, 'ENOTEMPTY') || isCode(error, 'EEXIST')) return `kept ${path}: it holds files the archive did not create`;
    return `could not remove ${path}: ${errorMessage(error)}`;
  }
}
