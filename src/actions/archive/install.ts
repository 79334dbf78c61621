import { chmod, cp, link, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { BackupRef, BackupStore } from '../backup.js';
import { newBackupId } from '../backup-store.js';
import { lstatOrUndefined } from '../fs-state.js';
import { isCode } from '../net/parents.js';
import type { PlannedEntry } from './entry.js';

/** One step of moving staged members into the destination. */
export type InstallStep =
  | { readonly kind: 'displace'; readonly ref: BackupRef }
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number }
  | { readonly kind: 'place'; readonly entry: PlannedEntry; readonly path: string };

/** Every step, decided up front from the destination as it is now (read-only). */
export interface InstallPlan {
  readonly steps: readonly InstallStep[];
  /** Absolute paths the steps create, in order. */
  readonly created: readonly string[];
  readonly displaced: readonly BackupRef[];
}

/**
 * Decides how to place `entries` under `destination`: missing paths are created, existing
 * directories are merged into, and anything else in the way (a file, a link, a directory where
 * the archive has a file) is displaced into the backup store first. Never follows a link that
 * is already in the destination.
 */
export function planInstall(destination: string, entries: readonly PlannedEntry[]): InstallPlan {
  const steps: InstallStep[] = [];
  const created: string[] = [];
  const displaced: BackupRef[] = [];
  const decided = new Set<string>();
  const displace = (path: string, type: BackupRef['type']): void => {
    const ref: BackupRef = { id: newBackupId(path), original: path, type };
    displaced.push(ref);
    steps.push({ kind: 'displace', ref });
  };
  const directory = (path: string, mode: number): void => {
    const stats = lstatOrUndefined(path);
    if (stats?.isDirectory() === true) return;
    if (stats !== undefined) displace(path, stats.isSymbolicLink() ? 'symlink' : 'file');
    created.push(path);
    steps.push({ kind: 'mkdir', path, mode });
  };
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) {
      const prefix = parts.slice(0, depth).join('/');
      if (!decided.has(prefix)) directory(join(destination, prefix), 0o755);
      decided.add(prefix);
    }
    const path = join(destination, entry.path);
    decided.add(entry.path);
    if (entry.kind === 'directory') {
      directory(path, entry.mode);
      continue;
    }
    const stats = lstatOrUndefined(path);
    if (stats !== undefined) displace(path, stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'directory' : 'file');
    created.push(path);
    steps.push({ kind: 'place', entry, path });
  }
  return { steps, created, displaced };
}

/** Options of {@link applyInstall}. */
export interface ApplyOptions {
  readonly plan: InstallPlan;
  readonly destination: string;
  readonly staging: string;
  readonly backups: BackupStore;
  readonly signal: AbortSignal;
}

/** Carries out the plan, then gives created directories their final modes (deepest first). */
export async function applyInstall(options: ApplyOptions): Promise<void> {
  const modes: [string, number][] = [];
  for (const step of options.plan.steps) {
    options.signal.throwIfAborted();
    switch (step.kind) {
      case 'displace':
        await options.backups.save(step.ref.original, 'move', { id: step.ref.id });
        break;
      case 'mkdir':
        // Private until the end, so that a read-only directory can still receive its members.
        await mkdir(step.path, { mode: 0o700 });
        modes.push([step.path, step.mode]);
        break;
      case 'place':
        await place(options, step.entry, step.path);
        break;
      default:
        step satisfies never;
    }
  }
  for (const [path, mode] of modes.reverse()) await chmod(path, mode);
}

async function place(options: ApplyOptions, entry: PlannedEntry, path: string): Promise<void> {
  if (entry.kind === 'hardlink') {
    await link(join(options.destination, entry.target), path);
    return;
  }
  const staged = join(options.staging, entry.path);
  try {
    await rename(staged, path);
  } catch (error) {
    // A destination on another filesystem than its parent (a mount point): copy instead.
    if (!isCode(error, 'EXDEV')) throw error;
    await cp(staged, path, { verbatimSymlinks: true, errorOnExist: true, force: false });
    await rm(staged);
  }
}

/** A problem found while undoing, reported together at the end. */
export function undoProblem(problems: readonly string[], destination: string): WritLoreError {
  return new WritLoreError('rollback-incomplete', `undo archive.extract into ${destination}: ${problems.join('; ')}`, {
    path: destination,
    hint: 'what is named was left in place; the backup store keeps anything displaced',
  });
}
