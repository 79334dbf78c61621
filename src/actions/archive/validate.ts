import { posix } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { PlannedEntry, RawEntry } from './entry.js';

/** Options of {@link planEntries}. */
export interface PlanOptions {
  /** Names the archive in messages (its path). */
  readonly label: string;
  /** Leading path components to drop from every member (default 0). */
  readonly strip?: number;
}

/**
 * Validates every member before anything is written and returns where each one goes. Rejects
 * absolute names, `..` components, links whose target leaves the destination, hard links to
 * anything but an earlier file, devices and FIFOs, and members that would be written through a
 * link (or a file) placed by an earlier member. Throws one `invalid-input` error naming the
 * first offending member.
 */
export function planEntries(raw: readonly RawEntry[], options: PlanOptions): PlannedEntry[] {
  const strip = options.strip ?? 0;
  const fail = (entry: RawEntry, problem: string): never => {
    throw new WritLoreError('invalid-input', `archive ${options.label}: entry ${JSON.stringify(entry.name)} ${problem}`, {
      path: options.label,
      hint: 'the archive is unsafe or damaged; nothing was extracted',
    });
  };
  const planned = new Map<string, PlannedEntry>();
  const ancestors = new Set<string>();
  raw.forEach((entry, index) => {
    const path = relativeName(entry.name, strip, (problem) => fail(entry, problem));
    if (path === undefined) return;
    const next = planOne(entry, path, index, strip, planned, (problem) => fail(entry, problem));
    checkPlacement(next, planned, ancestors, (problem) => fail(entry, problem));
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) ancestors.add(parts.slice(0, depth).join('/'));
    const previous = planned.get(path);
    // A repeated directory merges into the first; a repeated file replaces it (tar semantics).
    if (previous === undefined || previous.kind !== 'directory') planned.set(path, next);
  });
  // Only now are all links known: one may lead through another that comes later in the archive.
  for (const link of planned.values()) {
    if (link.kind !== 'symlink' || followLinks(posix.dirname(link.path), link.target, planned, { hops: 0 }) !== undefined) continue;
    const member = raw[link.index];
    const problem = `is a symlink to ${JSON.stringify(link.target)}, which points outside the destination once the archive's other links are followed`;
    if (member !== undefined) fail(member, problem);
  }
  return [...planned.values()];
}

/** Most links followed for one path, as the kernel allows (beyond it the path fails with ELOOP). */
const MAX_HOPS = 40;

/**
 * Where `target`, read from the directory `from`, ends up inside the destination when the
 * archive's own symlinks along the way are followed; undefined when it leaves (a lexical check
 * misses `a/b/c -> ../..` followed by `z -> a/b/c/../../..`).
 */
function followLinks(from: string, target: string, planned: ReadonlyMap<string, PlannedEntry>, seen: { hops: number }): string | undefined {
  const parts = from === '.' ? [] : from.split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.pop() === undefined) return undefined;
      continue;
    }
    parts.push(part);
    const link = planned.get(parts.join('/'));
    if (link?.kind !== 'symlink' || seen.hops >= MAX_HOPS) continue;
    seen.hops += 1;
    const resolved = followLinks(parts.slice(0, -1).join('/') || '.', link.target, planned, seen);
    if (resolved === undefined) return undefined;
    parts.splice(0, parts.length, ...resolved.split('/').filter((name) => name !== ''));
  }
  return parts.join('/');
}

/** The destination-relative path of a member name, or undefined when `strip` removes it all. */
function relativeName(name: string, strip: number, fail: (problem: string) => never): string | undefined {
  if (name.includes('\0')) fail('contains a NUL byte');
  if (name.includes('\\')) fail('contains a backslash');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) fail('is an absolute path and escapes the destination');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) fail('escapes the destination');
  if (parts.length <= strip) return undefined;
  return parts.slice(strip).join('/');
}

function planOne(
  entry: RawEntry,
  path: string,
  index: number,
  strip: number,
  planned: ReadonlyMap<string, PlannedEntry>,
  fail: (problem: string) => never,
): PlannedEntry {
  switch (entry.type) {
    case 'file':
      return { kind: 'file', path, mode: entry.mode & 0o777, index };
    case 'directory':
      return { kind: 'directory', path, mode: entry.mode & 0o777, index };
    case 'symlink':
      return { kind: 'symlink', path, target: symlinkTarget(path, entry.linkTarget, fail), index };
    case 'hardlink': {
      const target = relativeName(entry.linkTarget ?? '', strip, (problem) => fail(`links to a target that ${problem}`));
      if (target === undefined || planned.get(target)?.kind !== 'file') {
        fail(`is a hard link to ${JSON.stringify(entry.linkTarget)}, which is not an earlier file in the archive`);
      }
      return { kind: 'hardlink', path, target: target ?? '', index };
    }
    case 'other':
      return fail(`is a ${entry.typeLabel}; only files, directories and links are extracted`);
    default:
      return entry.type satisfies never;
  }
}

/** A symlink target, checked to stay inside the destination when resolved from the link. */
function symlinkTarget(path: string, target: string | undefined, fail: (problem: string) => never): string {
  if (target === undefined || target === '') return fail('is a symlink without a target');
  if (target.includes('\0')) return fail('has a link target containing a NUL byte');
  if (posix.isAbsolute(target)) return fail(`is a symlink to the absolute path ${JSON.stringify(target)}, outside the destination`);
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    return fail(`is a symlink to ${JSON.stringify(target)}, which points outside the destination`);
  }
  return target;
}

/**
 * Rejects a member that would be written through an earlier non-directory member (a symlink
 * above it), or a non-directory member that would replace a directory holding earlier members.
 */
function checkPlacement(
  next: PlannedEntry,
  planned: ReadonlyMap<string, PlannedEntry>,
  ancestors: ReadonlySet<string>,
  fail: (problem: string) => never,
): void {
  const parts = next.path.split('/');
  for (let depth = 1; depth < parts.length; depth += 1) {
    const above = planned.get(parts.slice(0, depth).join('/'));
    if (above !== undefined && above.kind !== 'directory') {
      fail(`would be written through the ${above.kind} ${JSON.stringify(above.path)}`);
    }
  }
  const previous = planned.get(next.path);
  const repeatable = next.kind === 'file' || next.kind === 'directory';
  if (previous !== undefined && (previous.kind !== next.kind || !repeatable)) {
    fail(`appears twice, as a ${previous.kind} and as a ${next.kind}`);
  }
  if (next.kind !== 'directory' && ancestors.has(next.path)) {
    fail(`is a ${next.kind} where earlier entries need a directory`);
  }
}
