import { join } from 'node:path';
import { WRIT_CONFIG_FILE } from './config.js';
import { readOptional } from './files.js';
import type { LocatedGlob } from './config.js';
import { matchGlobs, parseGlobFile, parseGlobLine } from './globs.js';
import type { GlobRule } from './globs.js';

/** The per-layer ignore file (gitignore-like lines, relative to the layer root). */
export const IGNORE_FILE = '.writignore';

/** Names left out at any depth, whatever the settings say (VCS data and editor droppings). */
export const ALWAYS_EXCLUDED = ['.git', '.DS_Store', '*.swp', '*.sw[a-o]', '*~', '.#*', '#*#'] as const;

/** Files of the layer root that configure writ and are never deployed. */
const ROOT_FILES: ReadonlySet<string> = new Set([IGNORE_FILE, WRIT_CONFIG_FILE]);

/** Compiled once; `#*#` is escaped so that it is not read as a comment. */
const ALWAYS = ALWAYS_EXCLUDED.map((glob) => {
  const line = glob.startsWith('#') ? `\\${glob}` : glob;
  return { ...(parseGlobLine(line, 'always excluded') as GlobRule), pattern: glob };
});

/** Decides which paths of one layer are left out, and says why. */
export class IgnoreRules {
  readonly #rules: readonly GlobRule[];

  /** Rules in order: writ.yaml `ignore:` globs of every layer, then this layer's `.writignore`. */
  constructor(rules: readonly GlobRule[]) {
    this.#rules = rules;
  }

  /** The ignore rules of the layer at `layerPath`: `globs` (merged writ.yaml) plus its `.writignore`. */
  static forLayer(layerPath: string, globs: readonly LocatedGlob[]): IgnoreRules {
    const fromConfig = globs.flatMap((entry) => parseGlobLine(entry.glob, entry.origin) ?? []);
    const path = join(layerPath, IGNORE_FILE);
    const text = readOptional(path);
    return new IgnoreRules([...fromConfig, ...(text === undefined ? [] : parseGlobFile(text, path))]);
  }

  /** Why `relativePath` (from the layer root, `/`-separated) is left out, or undefined when it is not. */
  reason(relativePath: string, isDirectory: boolean): string | undefined {
    if (!isDirectory && ROOT_FILES.has(relativePath)) return `${relativePath} configures writ`;
    const always = matchGlobs(ALWAYS, relativePath, isDirectory);
    if (always !== undefined) return `always excluded (${always.pattern})`;
    const rule = matchGlobs(this.#rules, relativePath, isDirectory);
    return rule === undefined ? undefined : `ignored by ${rule.origin} "${rule.pattern}"`;
  }
}

/** Decides which files are copied instead of linked (`copy:` globs of every layer). */
export class CopyRules {
  readonly #rules: readonly GlobRule[];

  /** Compiles the merged `copy:` globs. */
  constructor(globs: readonly LocatedGlob[]) {
    this.#rules = globs.flatMap((entry) => parseGlobLine(entry.glob, entry.origin) ?? []);
  }

  /**
   * Whether the file at `relativePath` (from its layer root) is to be copied: a glob matches
   * it or one of its directories (`Home/kim/bin/` copies everything under it).
   */
  isCopied(relativePath: string): boolean {
    if (this.#rules.length === 0) return false;
    if (matchGlobs(this.#rules, relativePath, false) !== undefined) return true;
    for (let end = relativePath.lastIndexOf('/'); end > 0; end = relativePath.lastIndexOf('/', end - 1)) {
      if (matchGlobs(this.#rules, relativePath.slice(0, end), true) !== undefined) return true;
    }
    return false;
  }
}
