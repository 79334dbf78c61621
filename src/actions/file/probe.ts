import { readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { blockingAncestor, readTargetState, lstatOrUndefined, type FsMemo } from '../fs-state.js';
import type { ProbeOutcome, TargetState } from '../types.js';

/**
 * Whether the last path inspected was a symlink. Paths come in runs (a re-apply finds every
 * target a link already, a first apply finds none): after a link, the next path is asked for
 * its link target straight away, which answers a link in one system call instead of two.
 * Only a hint: a wrong guess costs one failed readlink, never a different answer.
 */
let lastWasLink = false;

/**
 * What is at `path`, cheaply: symlinks cost one readlink (two calls after a non-link),
 * directories one lstat; only regular files are read to be digested. The hot path of probing
 * thousands of links.
 */
export async function inspect(path: string): Promise<TargetState> {
  if (lastWasLink) {
    const linkTarget = readlinkOrUndefined(path);
    if (linkTarget !== undefined) return { type: 'symlink', link_target: linkTarget };
  }
  const stats = lstatOrUndefined(path);
  lastWasLink = stats?.isSymbolicLink() === true;
  if (stats === undefined) return { type: 'missing' };
  if (lastWasLink) return { type: 'symlink', link_target: readlinkSync(path) };
  return readTargetState(path);
}

/** The target of the symlink at `path`; undefined when it is not one (or cannot be read: lstat tells why). */
function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    // EINVAL (not a link), ENOENT, ENOTDIR, EACCES…: the lstat that follows finds out which.
    return undefined;
  }
}

/** A conflict outcome naming what is in the way. */
export function conflictWith(path: string, current: TargetState, reason?: string): ProbeOutcome {
  return {
    kind: 'conflict',
    target: path,
    current,
    reason: reason ?? describeOccupant(path, current),
  };
}

/** "regular file exists at P", "directory exists at P", "symlink to T exists at P". */
export function describeOccupant(path: string, current: TargetState): string {
  switch (current.type) {
    case 'file':
      return `regular file exists at ${path}`;
    case 'directory':
      return `directory exists at ${path}`;
    case 'symlink':
      return `symlink to ${current.link_target ?? '?'} exists at ${path}`;
    case 'other':
      return `special file exists at ${path}`;
    case 'missing':
      return `nothing at ${path}`;
    default:
      return current.type satisfies never;
  }
}

/**
 * The conflict of a target whose parent directory cannot be made because an ancestor is not a
 * directory (`~/.config` a regular file, for `~/.config/git/config`); undefined when every
 * ancestor is a directory (or a link to one) or missing (see {@link blockingAncestor}).
 */
export async function parentConflict(path: string, memo: FsMemo | undefined): Promise<ProbeOutcome | undefined> {
  const parent = blockingAncestor(dirname(path), memo);
  if (parent === undefined) return undefined;
  const current = await readTargetState(parent);
  const reason = `${describeOccupant(parent, current)}, where ${path} needs a directory`;
  return { kind: 'conflict', target: path, current, reason, parent };
}
