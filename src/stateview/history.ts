import path from 'node:path';
import type { StateView } from './builder.js';
import type { FileRecord, PackageRecord } from './entries.js';

/** The history of one target path (absolute, or relative to `cwd`), oldest first. */
export function fileHistory(view: StateView, target: string, cwd = process.cwd()): readonly FileRecord[] {
  return view.files.get(path.resolve(cwd, target))?.history ?? [];
}

/** The history of one package, oldest first. */
export function packageHistory(view: StateView, name: string): readonly PackageRecord[] {
  return view.packages.get(name)?.history ?? [];
}

/** Paths whose history includes the receipt `stem` (what one run touched), sorted. */
export function filesTouchedBy(view: StateView, stem: string): string[] {
  const paths: string[] = [];
  for (const entry of view.files.values()) {
    if (entry.history.some((record) => record.receipt === stem)) paths.push(entry.path);
  }
  return paths.sort();
}
