import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One path of a tree snapshot: type, mode, and content digest or link target. */
export interface SnapshotEntry {
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
  readonly mode: string;
  readonly content?: string;
  readonly link?: string;
}

/** Every path under `root` (relative), with type, mode, content digest and link target. */
export function snapshotTree(root: string): Record<string, SnapshotEntry> {
  const result: Record<string, SnapshotEntry> = {};
  const walk = (directory: string): void => {
    for (const name of fs.readdirSync(directory).sort()) {
      const full = path.join(directory, name);
      const stats = fs.lstatSync(full);
      const mode = (stats.mode & 0o7777).toString(8).padStart(4, '0');
      const key = path.relative(root, full);
      if (stats.isSymbolicLink()) result[key] = { type: 'symlink', mode: '-', link: fs.readlinkSync(full) };
      else if (stats.isDirectory()) {
        result[key] = { type: 'directory', mode };
        walk(full);
      } else if (stats.isFile()) {
        result[key] = { type: 'file', mode, content: createHash('sha256').update(fs.readFileSync(full)).digest('hex') };
      } else result[key] = { type: 'other', mode };
    }
  };
  if (fs.existsSync(root)) walk(root);
  return result;
}
