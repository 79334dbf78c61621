import fs from 'node:fs/promises';
import path from 'node:path';
import { backupRefsIn, lstatOrUndefined, DirectoryBackupStore } from '../actions/index.js';
import { WritLoreError, type Graph } from '../graph/index.js';
import { parseReceiptName } from './names.js';
import type { StateLayout } from './paths.js';
import type { ReceiptStore } from './store.js';

/** The BackupStore of the run recorded as `stem`: `<state>/backups/<stem>/`. */
export function backupStoreFor(layout: StateLayout, stem: string): DirectoryBackupStore {
  return new DirectoryBackupStore(path.join(layout.backups, stem));
}

/** Which backup directories `prune` considers (one of the two is required). */
export type PruneSelection =
  | { readonly kind: 'keep'; readonly count: number }
  | { readonly kind: 'older-than'; readonly before: Date };

/** Options of {@link pruneBackups}. */
export interface PruneOptions {
  readonly selection: PruneSelection;
  /** Also remove backups a receipt still needs to roll back (default false). */
  readonly force?: boolean;
  /** Report what would be removed, remove nothing (default false). */
  readonly dryRun?: boolean;
}

/** What `prune` did (or would do) to one backup directory. */
export type PruneItem =
  | { readonly kind: 'removed'; readonly stem: string; readonly bytes: number }
  | { readonly kind: 'kept'; readonly stem: string; readonly bytes: number; readonly reason: string };

/** The outcome of {@link pruneBackups}. */
export interface PruneReport {
  readonly items: readonly PruneItem[];
  readonly freedBytes: number;
}

/**
 * Removes old backup directories. Never removes the backups of a run whose journal exists
 * (an interrupted run needs them to recover), and without `force` never those a receipt still
 * references for its rollback (non-disposable refs of a receipt that was not rolled back).
 */
export async function pruneBackups(store: ReceiptStore, options: PruneOptions): Promise<PruneReport> {
  const candidates = await selectCandidates(store.layout, options.selection);
  const items: PruneItem[] = [];
  for (const stem of candidates) {
    const directory = path.join(store.layout.backups, stem);
    const bytes = await directorySize(directory);
    const reason = await keepReason(store, stem, options.force === true);
    if (reason !== undefined) {
      items.push({ kind: 'kept', stem, bytes, reason });
      continue;
    }
    if (options.dryRun !== true) await fs.rm(directory, { recursive: true, force: true });
    items.push({ kind: 'removed', stem, bytes });
  }
  const freedBytes = items.reduce((sum, item) => sum + (item.kind === 'removed' ? item.bytes : 0), 0);
  return { items, freedBytes };
}

async function selectCandidates(layout: StateLayout, selection: PruneSelection): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(layout.backups);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const dated = names
    .map((stem) => ({ stem, time: parseReceiptName(stem)?.time }))
    .sort((a, b) => (a.time ?? 0) - (b.time ?? 0) || (a.stem < b.stem ? -1 : 1));
  switch (selection.kind) {
    case 'keep':
      if (!Number.isInteger(selection.count) || selection.count < 0) {
        throw new WritLoreError('invalid-input', `--keep must be a whole number ≥ 0, not ${selection.count}`);
      }
      return dated.slice(0, Math.max(0, dated.length - selection.count)).map((item) => item.stem);
    case 'older-than':
      // A directory whose name is not a receipt name has no time: it counts as old.
      return dated.filter((item) => (item.time ?? 0) < selection.before.getTime()).map((item) => item.stem);
    default:
      return selection satisfies never;
  }
}

async function keepReason(store: ReceiptStore, stem: string, force: boolean): Promise<string | undefined> {
  if (lstatOrUndefined(store.journalPathOf(stem)) !== undefined) {
    return 'its run was interrupted and has not been recovered (the journal needs these backups)';
  }
  if (force || lstatOrUndefined(store.pathOf(stem)) === undefined) return undefined;
  const graph = await store.load(stem);
  const needed = neededRefs(graph, backupStoreFor(store.layout, stem).root);
  if (!anyExists(needed)) return undefined;
  return `receipt ${stem} still needs them to roll back (pass --force to remove anyway)`;
}

function neededRefs(graph: Graph, root: string): string[] {
  if (graph.state === 'rolled_back') return [];
  return graph.nodes
    .filter((node) => node.status === 'completed' || node.status === 'failed')
    .flatMap((node) => backupRefsIn(node.undo))
    .filter((ref) => ref.disposable !== true)
    .map((ref) => path.join(root, ref.id));
}

function anyExists(files: readonly string[]): boolean {
  return files.some((file) => lstatOrUndefined(file) !== undefined);
}


/** Bytes used by a directory tree (file sizes; links and directories count as 0). */
export async function directorySize(directory: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await fs.lstat(full)).size;
  }
  return total;
}
