import { createWriteStream } from 'node:fs';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WritLoreError } from '../../graph/index.js';
import type { ArchiveReader, PlannedEntry, RawEntry } from './entry.js';

/** Reads every member's header without writing anything (the validation pass). */
export async function listEntries(reader: ArchiveReader, signal: AbortSignal): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  await reader.walk(async (entry) => {
    entries.push(entry);
  }, signal);
  return entries;
}

/** Options of {@link stageEntries}. */
export interface StageOptions {
  readonly reader: ArchiveReader;
  /** Members as the validation pass listed them; the second pass must see the same. */
  readonly listed: readonly RawEntry[];
  readonly planned: readonly PlannedEntry[];
  /** A fresh private directory to write into. */
  readonly staging: string;
  /** Names the archive in messages. */
  readonly label: string;
  readonly signal: AbortSignal;
}

/**
 * Writes the planned files, directories and symlinks under `staging` (hard links are made at
 * install time). Files get their final permission bits; directories stay private (0700).
 */
export async function stageEntries(options: StageOptions): Promise<void> {
  const byIndex = new Map(options.planned.map((entry) => [entry.index, entry]));
  let index = 0;
  await options.reader.walk(async (raw, body) => {
    const listed = options.listed[index];
    if (listed === undefined || listed.name !== raw.name || listed.type !== raw.type) {
      throw new WritLoreError('action-failed', `archive ${options.label} changed while it was being extracted`, {
        path: options.label,
      });
    }
    const planned = byIndex.get(index);
    index += 1;
    if (planned !== undefined) await stageOne(options.staging, planned, body);
  }, options.signal);
}

async function stageOne(staging: string, entry: PlannedEntry, body: AsyncIterable<Uint8Array> | undefined): Promise<void> {
  const target = join(staging, entry.path);
  switch (entry.kind) {
    case 'directory':
      await mkdir(target, { recursive: true, mode: 0o700 });
      return;
    case 'file':
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await pipeline(body ?? emptyBody(), createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      await chmod(target, entry.mode);
      return;
    case 'symlink':
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await symlink(entry.target, target);
      return;
    case 'hardlink':
      return;
    default:
      return entry satisfies never;
  }
}

async function* emptyBody(): AsyncIterable<Uint8Array> {
  // A regular file without a body stream is an empty file.
}
