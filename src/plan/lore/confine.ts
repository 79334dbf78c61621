import { isAbsolute, join, relative, resolve } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { InterpolationSite } from './interpolate.js';
import { isPathInside } from '../paths.js';

export { isPathInside };

/** The directories a package's steps may read (the prefix) and write. */
export interface Confinement {
  readonly prefix: string;
  /** `<prefix>/lib/lore/<name>/<version>`: relative step paths start here. */
  readonly packageDir: string;
  /** Where writes may land: the package dir, `<prefix>/bin`, `share`, `etc`, declared paths. */
  readonly writable: readonly string[];
}

/** Whether a path is only read (anywhere in the prefix) or written (only in writable dirs). */
export type PathUse = 'read' | 'write';

/** Directories under the prefix every package may write besides its own. */
export const SHARED_DIRS = ['bin', 'share', 'etc'] as const;

/** The directory a package version lives in. */
export function packageDirectory(prefix: string, name: string, version: string): string {
  return join(prefix, 'lib', 'lore', name, version);
}

/**
 * The confinement of one package: its own directory, the shared dirs and the extra `paths` it
 * declares (relative to the prefix; one that leaves the prefix is rejected).
 */
export function confinementFor(
  prefix: string,
  pkg: { readonly name: string; readonly version: string; readonly paths: readonly string[] },
  site: Omit<InterpolationSite, 'what'>,
): Confinement {
  const packageDir = packageDirectory(prefix, pkg.name, pkg.version);
  const declared = pkg.paths.map((path) => {
    const full = resolve(prefix, path);
    if (isAbsolute(path) || !isPathInside(full, prefix) || full === prefix) {
      throw outside({ ...site, what: 'declared path' }, path, prefix);
    }
    return full;
  });
  return { prefix, packageDir, writable: [packageDir, ...SHARED_DIRS.map((dir) => join(prefix, dir)), ...declared] };
}

/**
 * Resolves a step's (already interpolated) path: relative to the package dir, normalised, and
 * required to stay inside the prefix (`read`) or inside a writable directory (`write`).
 * Anything else is an `invalid-input` error naming the manifest line.
 */
export function confinePath(value: string, use: PathUse, confinement: Confinement, site: InterpolationSite): string {
  if (value === '' || value.includes('\0')) {
    throw new WritLoreError('invalid-input', `${site.what} is empty or holds a NUL byte`, { path: site.file, line: site.line });
  }
  const full = resolve(confinement.packageDir, value);
  if (use === 'read' ? isPathInside(full, confinement.prefix) : isWritable(full, confinement)) return full;
  if (!isPathInside(full, confinement.prefix)) throw outside(site, value, confinement.prefix);
  const places = confinement.writable.map((dir) => relative(confinement.prefix, dir)).join(', ');
  throw new WritLoreError('invalid-input', `${site.what} "${value}" may not be written: a package writes only inside ${places} of the prefix`, {
    path: site.file,
    line: site.line,
    hint: 'declare the directory under "paths" in package.yaml',
  });
}

/** Inside a writable directory (the package dir itself counts; `<prefix>/bin` itself does not). */
function isWritable(path: string, confinement: Confinement): boolean {
  if (path === confinement.packageDir) return true;
  return confinement.writable.some((root) => path !== root && isPathInside(path, root));
}


function outside(site: InterpolationSite, value: string, prefix: string): WritLoreError {
  return new WritLoreError('invalid-input', `${site.what} "${value}" is outside the prefix ${prefix}`, {
    path: site.file,
    line: site.line,
    hint: 'a package may only touch paths inside the prefix; use a relative path or ${prefix}/…',
  });
}
