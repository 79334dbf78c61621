import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { Run } from '../e2e/writ-helpers.js';
import { writeRegistry, type TestPackage } from '../cli/lore-helpers.js';
import { snapshotTree, type TreeSnapshot } from '../helpers/tree-snapshot.js';
import { EXIT } from '../../cli/exit-codes.js';
import { cleanUp, journals, latestReceipt, loreSubject, run, seedPrefix, type Subject } from './failure-harness.js';

/*
 * Shared setup of the hostile-input suites for lore: a seeded lore subject (failure-harness.ts)
 * with a generated registry in `<dir>/registry` and a sentinel file outside the prefix, a
 * snapshot of everything but the download cache, and the assertion every case makes.
 */

/** A lore subject with a registry directory and a sentinel outside the prefix. */
export interface HostileLore {
  readonly subject: Subject;
  readonly registry: string;
  /** `<dir>/outside/sentinel`: no archive or manifest may ever touch it. */
  readonly sentinel: string;
}

/** Sets up a {@link HostileLore} whose registry holds `packages` (default: one plain `tool`). */
export async function hostileLore(packages: readonly TestPackage[] = [{ name: 'tool' }]): Promise<HostileLore> {
  const subject = await loreSubject();
  await seedPrefix(subject);
  const registry = path.join(subject.dir, 'registry');
  writeRegistry(registry, packages);
  const sentinel = path.join(subject.dir, 'outside', 'sentinel');
  await mkdir(path.dirname(sentinel));
  await writeFile(sentinel, 'do not touch\n', { mode: 0o600 });
  return { subject, registry, sentinel };
}

/** Runs `body` with a fresh {@link HostileLore} and removes its temp dirs afterwards. */
export async function withHostileLore(
  body: (lore: HostileLore) => Promise<void>,
  packages?: readonly TestPackage[],
): Promise<void> {
  const lore = await hostileLore(packages);
  try {
    await body(lore);
  } finally {
    await cleanUp(lore.subject);
  }
}

/** Everything under the subject's dir (prefix, state, home, registry, sentinel), the cache left out. */
export function snapshotDisk(lore: HostileLore): Promise<TreeSnapshot> {
  return snapshotTree(lore.subject.dir, { ignore: (name) => name === 'cache' });
}

/** `lore install …` against the subject's prefix and its registry directory (or `registry`). */
export function install(lore: HostileLore, names: readonly string[], extra: readonly string[] = [], registry = lore.registry): Promise<Run> {
  return run(lore.subject, ['install', ...names, '--registry', registry, '--prefix', lore.subject.target, ...extra]);
}

/** Rewrites `packages/<name>/package.yaml` of the registry with `edit` (the index keeps no digest). */
export async function editManifest(lore: HostileLore, name: string, edit: (text: string) => string): Promise<string> {
  const file = path.join(lore.registry, 'packages', name, 'package.yaml');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  return file;
}

/**
 * Replaces the archive of the registry's `tool` package with `bytes` named `file` (`x.zip`,
 * `x.tar.xz`…): the manifest's source URL, download and extract names follow, and its sha256
 * is that of `bytes` unless `sha256` overrides it.
 */
export async function useArchive(lore: HostileLore, file: string, bytes: Buffer, sha256?: string): Promise<void> {
  await writeFile(path.join(lore.registry, 'files', file), bytes);
  await rm(path.join(lore.registry, 'files', 'tool-1.0.0.tar.gz'));
  const digest = sha256 ?? createHash('sha256').update(bytes).digest('hex');
  await editManifest(lore, 'tool', (text) =>
    text
      .replace('url: files/tool-1.0.0.tar.gz', `url: files/${file}`)
      .replace(/sha256: [0-9a-f]{64}/, `sha256: ${digest}`)
      .replace('download: { to: tool.tar.gz }', `download: { to: ${file} }`)
      .replace('extract: { archive: tool.tar.gz', `extract: { archive: ${file}`),
  );
}

/**
 * The assertion of every rejected input: exit `code`, exactly one `lore: error:` line matching
 * `message` (the rest only `lore: hint:` lines), and no stack trace.
 */
export function expectOneLineError(result: Run, code: number, message: RegExp): void {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  const errors = lines.filter((line) => line.startsWith('lore: error: '));
  expect({ code: result.code, errors }, result.stderr).toEqual({ code, errors: [expect.stringMatching(message)] });
  expect(lines.filter((line) => !line.startsWith('lore: error: ') && !line.startsWith('lore: hint: '))).toEqual([]);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** Runs `args` and checks it is rejected as {@link expectOneLineError} says, with the disk untouched. */
export async function expectRejected(
  lore: HostileLore,
  attempt: () => Promise<Run>,
  code: number,
  message: RegExp,
): Promise<Run> {
  const before = await snapshotDisk(lore);
  const result = await attempt();
  expectOneLineError(result, code, message);
  expect(await snapshotDisk(lore)).toEqual(before);
  return result;
}

/** The sentinel's identity and times: a file replaced and later restored still changes these. */
export async function sentinelStamp(lore: HostileLore): Promise<string> {
  const stats = await stat(lore.sentinel);
  return `${stats.ino}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.size}`;
}

/**
 * Runs an install that must fail at run time (a hostile archive, a bad download) and checks it
 * ended cleanly: exit 1, the failed phase and `message` on stdout, no stack trace, a
 * `rolled_back` receipt and no journal, the sentinel never touched, and everything but the
 * state dir and the download cache byte-identical to before.
 */
export async function expectRolledBack(lore: HostileLore, attempt: () => Promise<Run>, message: RegExp): Promise<Run> {
  const outsideState = (name: string): boolean => name === 'cache' || name === 'state';
  const before = await snapshotTree(lore.subject.dir, { ignore: outsideState });
  const stamp = await sentinelStamp(lore);
  const result = await attempt();
  expect({ code: result.code, stdout: result.stdout }, result.stderr).toEqual({
    code: EXIT.runFailed,
    stdout: expect.stringMatching(/not installed: phase\.tool\.\w+ failed; rolled back/),
  });
  expect(result.stdout).toMatch(message);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  expect(await sentinelStamp(lore)).toBe(stamp);
  expect(await snapshotTree(lore.subject.dir, { ignore: outsideState })).toEqual(before);
  expect((await latestReceipt(lore.subject)).state).toBe('rolled_back');
  expect(await journals(lore.subject)).toEqual([]);
  return result;
}
