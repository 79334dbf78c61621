import { sep } from 'node:path';

/** True when `path` is `root` or inside it (both absolute and normalised). */
export function isPathInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
