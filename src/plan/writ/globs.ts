import picomatch from 'picomatch';
import { WritLoreError } from '../../graph/index.js';

/**
 * gitignore-like glob lines, matched against paths relative to a layer root with `/`
 * separators (`Home/shell/.bashrc`). Supported: `*`, `?`, `[abc]`, `{a,b}` and `**`; a line
 * without a `/` matches the base name at any depth (`*.swp`); a line with a `/` (or starting
 * with `/`) matches the whole relative path (`Home/all/README.md`, `/Home/scratch`); a trailing
 * `/` matches directories only (`scratch/`); `!` re-includes what an earlier line matched;
 * `#` starts a comment; `\#` and `\!` escape those. The last line that matches decides. A
 * directory that matches is left out with everything under it (as in git, a `!` line cannot
 * re-include a file inside it).
 */
export interface GlobRule {
  readonly pattern: string;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  /** Whether the pattern is matched against the whole relative path (else the base name). */
  readonly anchored: boolean;
  /** Where the rule was written, for messages (`personal/.writignore:3`). */
  readonly origin: string;
  readonly test: (text: string) => boolean;
}

/** A rule that matched, or undefined. */
export type GlobMatch = GlobRule | undefined;

/** Compiles one line; undefined for blank lines and comments. */
export function parseGlobLine(line: string, origin: string): GlobRule | undefined {
  let text = line.replace(/(?<!\\)\s+$/, '');
  if (text === '' || text.startsWith('#')) return undefined;
  const negated = text.startsWith('!');
  if (negated) text = text.slice(1);
  else if (text.startsWith('\\#') || text.startsWith('\\!')) text = text.slice(1);
  const directoryOnly = text.endsWith('/');
  if (directoryOnly) text = text.replace(/\/+$/, '');
  const anchored = text.includes('/');
  if (text.startsWith('/')) text = text.slice(1);
  if (text === '') throw new WritLoreError('invalid-input', `${origin}: "${line}" is not a pattern`);
  return { pattern: line.trim(), negated, directoryOnly, anchored, origin, test: compileGlob(text) };
}

/**
 * What `picomatch(glob, { dot: true })` answers for `/`-separated paths, as a bare regular
 * expression test: the matcher picomatch returns builds two result objects per call, and
 * a scan tests every name of the repository against every rule.
 */
function compileGlob(glob: string): (text: string) => boolean {
  const regex = picomatch.makeRe(glob, { dot: true, windows: false });
  return (text) => text !== '' && (text === glob || regex.test(text));
}

/** Compiles the lines of a `.writignore` file (origin `<path>:<line>`). */
export function parseGlobFile(text: string, path: string): GlobRule[] {
  const rules: GlobRule[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const rule = parseGlobLine(line, `${path}:${index + 1}`);
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

/** The rule deciding `relativePath` (last match wins), or undefined when none matches or a `!` line does. */
export function matchGlobs(rules: readonly GlobRule[], relativePath: string, isDirectory: boolean): GlobMatch {
  const baseName = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  for (let index = rules.length - 1; index >= 0; index -= 1) {
    const rule = rules[index] as GlobRule;
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.test(rule.anchored ? relativePath : baseName)) return rule.negated ? undefined : rule;
  }
  return undefined;
}
