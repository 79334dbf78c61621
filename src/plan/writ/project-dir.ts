import type { Segments } from './types.js';

/** A project directory's name split up: `kim.Linux.Debian.arm64` → `kim` + 3 suffixes. */
export interface ProjectDir {
  /** The directory name as written. */
  readonly name: string;
  readonly project: string;
  readonly suffixes: readonly string[];
}

/** Whether a project directory applies to this machine. */
export type DirMatch =
  | { readonly kind: 'applies'; readonly specificity: number }
  | { readonly kind: 'mismatch'; readonly suffix: string };

/**
 * Splits a project directory name at its dots. Undefined when the name cannot be one: hidden
 * (`.git`), or with an empty part (`kim..Linux`, `kim.`).
 */
export function parseProjectDir(name: string): ProjectDir | undefined {
  if (name.startsWith('.')) return undefined;
  const [project = '', ...suffixes] = name.split('.');
  if (project === '' || suffixes.some((suffix) => suffix === '')) return undefined;
  return { name, project, suffixes };
}

/**
 * A directory applies when every suffix equals (case-sensitively) the value of some segment;
 * its specificity is its number of suffixes. `all.Unix` applies on Linux because `FAMILY` is
 * `Unix` there.
 */
export function matchProjectDir(dir: ProjectDir, segments: Segments): DirMatch {
  const values = new Set(Object.values(segments));
  for (const suffix of dir.suffixes) {
    if (!values.has(suffix)) return { kind: 'mismatch', suffix };
  }
  return { kind: 'applies', specificity: dir.suffixes.length };
}
