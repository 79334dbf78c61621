import { lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import { isPathInside } from '../paths.js';
import { compareText } from './order.js';
import type { IgnoreRules } from './ignore.js';
import { matchProjectDir, parseProjectDir } from './project-dir.js';
import type { ProjectDir } from './project-dir.js';
import { transformOf } from './transforms.js';
import type { NamedTransform } from './transforms.js';
import type { Segments, WritSkippedPath, WritLayer, WritScope } from './types.js';

/** One source file that wants to be deployed to `target`, before collisions are settled. */
export interface WritCandidate {
  /** Absolute target path: the key collisions are settled on. */
  readonly target: string;
  /** Absolute source path. */
  readonly source: string;
  /** Source path relative to the layer root, `/`-separated (what globs match). */
  readonly relative: string;
  readonly layer: WritLayer;
  readonly project: string;
  /** The project directory's name (`kim.Linux`). */
  readonly directory: string;
  readonly specificity: number;
  readonly scope: WritScope;
  readonly transform: NamedTransform['transform'];
}

/** What scanning a layer needs. */
export interface WritScanOptions {
  readonly segments: Segments;
  readonly projects: ReadonlySet<string>;
  /** Whether `System/` is deployed. */
  readonly system: boolean;
  /** Where `Home/` deploys (absolute). */
  readonly targetRoot: string;
  /** Where `System/` deploys (absolute); `/` outside tests. */
  readonly systemRoot: string;
  readonly ignore: IgnoreRules;
}

/** The outcome of scanning one layer. */
export interface LayerScan {
  readonly candidates: WritCandidate[];
  readonly skipped: WritSkippedPath[];
  /** Every project name that has a directory in this layer (selected or not). */
  readonly projects: Set<string>;
}

const ROOTS: readonly { readonly scope: WritScope; readonly name: string }[] = [
  { scope: 'home', name: 'Home' },
  { scope: 'system', name: 'System' },
];

/** Lists the files of `layer` that apply to this machine and the selected projects. */
export function scanLayer(layer: WritLayer, options: WritScanOptions): LayerScan {
  const scan: LayerScan = { candidates: [], skipped: [], projects: new Set() };
  for (const root of ROOTS) {
    const entries = listDirectory(join(layer.path, root.name));
    if (entries === undefined) continue;
    if (root.scope === 'system' && !options.system) {
      skipSystem(scan, layer, entries);
      continue;
    }
    for (const entry of entries) {
      const dir = scanRootEntry(scan, layer, root.name, entry, options);
      if (dir !== undefined) scanProjectDir(scan, layer, root, dir, options);
    }
  }
  return scan;
}

/** Records `System/` as skipped; its projects still count as existing (naming one is no typo). */
function skipSystem(scan: LayerScan, layer: WritLayer, entries: readonly Dirent[]): void {
  const reason = 'System/ is deployed only with --system';
  scan.skipped.push({ kind: 'system', path: join(layer.path, 'System'), layer: layer.name, reason });
  for (const entry of entries) {
    const dir = entry.isDirectory() ? parseProjectDir(entry.name) : undefined;
    if (dir !== undefined) scan.projects.add(dir.project);
  }
}

/** Walks a project directory when its project is selected and its suffixes match. */
function scanProjectDir(
  scan: LayerScan,
  layer: WritLayer,
  root: (typeof ROOTS)[number],
  dir: ProjectDir,
  options: WritScanOptions,
): void {
  const path = join(layer.path, root.name, dir.name);
  if (!options.projects.has(dir.project)) {
    const reason = `project "${dir.project}" was not asked for`;
    scan.skipped.push({ kind: 'not-selected', path, layer: layer.name, reason });
    return;
  }
  const match = matchProjectDir(dir, options.segments);
  if (match.kind === 'mismatch') {
    const reason = `no segment of this machine is "${match.suffix}"`;
    scan.skipped.push({ kind: 'segment-mismatch', path, layer: layer.name, reason });
    return;
  }
  const base = root.scope === 'home' ? options.targetRoot : options.systemRoot;
  const context = { scan, layer, dir, specificity: match.specificity, scope: root.scope, options };
  walk(context, path, `${root.name}/${dir.name}`, base);
}

/** Checks one entry directly under `Home/` or `System/`; the project directory it is, if any. */
function scanRootEntry(
  scan: LayerScan,
  layer: WritLayer,
  rootName: string,
  entry: Dirent,
  options: WritScanOptions,
): ProjectDir | undefined {
  const relative = `${rootName}/${entry.name}`;
  const path = join(layer.path, relative);
  const ignored = options.ignore.reason(relative, entry.isDirectory());
  if (ignored !== undefined) {
    scan.skipped.push({ kind: 'ignored', path, layer: layer.name, reason: ignored });
    return undefined;
  }
  const dir = entry.isDirectory() ? parseProjectDir(entry.name) : undefined;
  if (dir === undefined) {
    const what = entry.isDirectory() ? 'a hidden or misnamed directory' : 'a file';
    const reason = `${what} outside any project directory (expected ${rootName}/<project>[.<Suffix>…]/…)`;
    scan.skipped.push({ kind: 'outside-project', path, layer: layer.name, reason });
    return undefined;
  }
  scan.projects.add(dir.project);
  return dir;
}

/** What the recursive walk of one project directory carries along. */
interface WalkContext {
  readonly scan: LayerScan;
  readonly layer: WritLayer;
  readonly dir: ProjectDir;
  readonly specificity: number;
  readonly scope: WritScope;
  readonly options: WritScanOptions;
}

function walk(context: WalkContext, directory: string, relative: string, targetDirectory: string): void {
  const { scan, layer, options } = context;
  for (const entry of listDirectory(directory) ?? []) {
    const path = childPath(directory, entry.name);
    assertPlainName(entry.name, path);
    const entryRelative = `${relative}/${entry.name}`;
    const isDirectory = entry.isDirectory();
    const ignored = options.ignore.reason(entryRelative, isDirectory);
    if (ignored !== undefined) {
      scan.skipped.push({ kind: 'ignored', path, layer: layer.name, reason: ignored });
    } else if (isDirectory) {
      walk(context, path, entryRelative, childPath(targetDirectory, entry.name));
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      if (entry.isSymbolicLink()) assertLinkInside(path, layer.path);
      const named = transformOf(entry.name, path);
      scan.candidates.push({
        target: childPath(targetDirectory, named.targetName),
        source: path,
        relative: entryRelative,
        layer,
        project: context.dir.project,
        directory: context.dir.name,
        specificity: context.specificity,
        scope: context.scope,
        transform: named.transform,
      });
    } else {
      scan.skipped.push({ kind: 'unsupported-type', path, layer: layer.name, reason: 'not a file, symlink or directory' });
    }
  }
}

/**
 * A name writ cannot deploy faithfully: bytes that are not UTF-8 (read back as U+FFFD, so the
 * path writ would link to does not exist) or control characters (a newline in a target name
 * would forge lines in every listing and receipt view).
 */
function assertPlainName(name: string, path: string): void {
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new WritLoreError('invalid-input', `${JSON.stringify(path)}: the file name holds a control character; rename it`, { hint: 'writ deploys names of printable characters only' });
  }
  if (name.includes('\uFFFD') && lstatSync(path, { throwIfNoEntry: false }) === undefined) {
    throw new WritLoreError('invalid-input', `${JSON.stringify(path)}: the file name is not valid UTF-8; rename it`, { hint: 'writ deploys UTF-8 names only' });
  }
}

/**
 * A symlink in a layer must resolve inside that layer: deploying a link to it would otherwise
 * hand out something outside the repository (`~/.x` → repo → `/etc/shadow`), and a copy would
 * read it. GNU Stow refuses such links too; writ names the link and stops (exit 2).
 */
function assertLinkInside(path: string, layerRoot: string): void {
  const lexical = resolve(dirname(path), readlinkSync(path));
  let resolved: string | undefined;
  try {
    resolved = realpathSync(path);
  } catch (error) {
    // A dangling or looping link has no real path: its written target is all there is to judge.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ELOOP') throw error;
  }
  const realRoot = realpathSync(layerRoot);
  const isInside = resolved === undefined
    ? isPathInside(lexical, layerRoot) || isPathInside(lexical, realRoot)
    : isPathInside(resolved, realRoot);
  if (isInside) return;
  throw new WritLoreError('invalid-input', `the symlink points outside its layer ${layerRoot} (to ${resolved ?? lexical})`, {
    path,
    hint: 'replace it with the file itself, or point it inside the layer',
  });
}

/**
 * `join(dir, name)` for a normalised absolute `dir` and a plain entry name, without join's
 * normalising pass (thousands of calls per scan); anything unusual goes through join.
 */
function childPath(dir: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || dir.endsWith('/')) return join(dir, name);
  return `${dir}/${name}`;
}

/** The entries of a directory sorted by name, or undefined when it does not exist. */
function listDirectory(path: string): Dirent[] | undefined {
  try {
    return readdirSync(path, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new WritLoreError('invalid-input', `cannot read directory ${path}`, { path, cause: error });
  }
}
