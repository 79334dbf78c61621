import { readlinkSync } from 'node:fs';
import { readTargetState, lstatOrUndefined } from '../fs-state.js';
import type { ProbeOutcome, TargetState } from '../types.js';

/**
 * What is at `path`, cheaply: symlinks and directories cost one lstat (plus readlink); only
 * regular files are read to be digested. The hot path of probing thousands of links.
 */
export async function inspect(path: string): Promise<TargetState> {
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return { type: 'missing' };
  if (stats.isSymbolicLink()) return { type: 'symlink', link_target: readlinkSync(path) };
  return readTargetState(path);
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
