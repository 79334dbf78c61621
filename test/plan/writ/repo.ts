import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createDefaultRegistry } from '../../../src/actions/index.js';
import { buildWritPlan, detectSegments, rankLayers } from '../../../src/plan/index.js';
import type { Segments, WritPlan, WritPlanOptions } from '../../../src/plan/index.js';

/** The example repository shipped in fixtures/. */
export const FIXTURE = resolve(import.meta.dirname, '../../../fixtures/dotfiles');

/** A fixed plan timestamp. */
export const TIMESTAMP = '2026-01-31T12:00:00.000Z';

/** Segments of a Debian amd64 Linux machine. */
export const LINUX: Segments = detectSegments({
  platform: 'linux',
  arch: 'x64',
  readOsRelease: () => 'NAME="Debian GNU/Linux"\nID=debian\n',
  env: {},
});

/** A temp directory, removed by {@link TempDirs.cleanup}. */
export class TempDirs {
  readonly #dirs: string[] = [];

  /** Makes a new empty directory. */
  make(prefix = 'writ-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.#dirs.push(dir);
    return dir;
  }

  /** A fresh copy of the fixture repository. */
  fixtureCopy(): string {
    const dir = this.make('writ-fixture-');
    cpSync(FIXTURE, dir, { recursive: true });
    return dir;
  }

  /** A repository made of `files` (relative path → content) under a new directory. */
  repo(files: Readonly<Record<string, string>>): string {
    const dir = this.make('writ-repo-');
    writeFiles(dir, files);
    return dir;
  }

  /** Removes every directory made. */
  cleanup(): void {
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `files` (relative path → content) under `root`. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** Plans the layers `names` (subdirectories of `root`, in this order) with Linux segments. */
export function planLayers(
  root: string,
  names: readonly string[],
  options: Partial<Omit<WritPlanOptions, 'layers' | 'catalog'>> = {},
): WritPlan {
  const layers = rankLayers(names.map((name) => ({ name, path: join(root, name) })));
  return buildWritPlan({
    catalog: createDefaultRegistry(),
    layers,
    segments: LINUX,
    targetRoot: '/home/kim',
    timestamp: TIMESTAMP,
    platform: { os: 'linux', arch: 'x64' },
    ...options,
  });
}

/** `[target, transform, layer, project]` rows of a plan, for whole-table comparisons. */
export function rows(plan: WritPlan): [string, string, string, string][] {
  return plan.sources.map((line) => [line.target, line.transform, line.layer, line.project]);
}
