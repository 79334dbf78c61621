import fs from 'node:fs';
import path from 'node:path';

/** Files per leaf directory of a synthetic tree. */
const PER_DIR = 100;
/** Leaf directories per top-level directory. */
const DIRS_PER_TOP = 10;

/**
 * Writes `count` small plain files under `root`, 100 per directory, two levels deep:
 * `d<k>/s<j>/f<i>.conf` (10 leaf directories per top directory, so 10k files make d0–d9).
 */
export function writeSyntheticTree(root: string, count: number): void {
  for (let start = 0; start < count; start += PER_DIR) {
    const leaf = start / PER_DIR;
    const dir = path.join(root, `d${Math.floor(leaf / DIRS_PER_TOP)}`, `s${leaf % DIRS_PER_TOP}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let index = start; index < Math.min(start + PER_DIR, count); index += 1) {
      fs.writeFileSync(path.join(dir, `f${index}.conf`), `setting-${index} = ${index % 7}\n`);
    }
  }
}

/** Counts symbolic links and every other entry (directories excluded) under `root`. */
export function countTree(root: string): { links: number; other: number } {
  const counts = { links: 0, other: 0 };
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.isSymbolicLink()) counts.links += 1;
      else counts.other += 1;
    }
  };
  if (fs.existsSync(root)) walk(root);
  return counts;
}

/**
 * The raw Node baseline, run as `node raw-link.mjs SOURCE TARGET`: walks SOURCE, `mkdirSync`
 * (recursive) for each directory and one `symlinkSync` (absolute target) per file. No checks,
 * no records: the floor for deploying the same links from one Node process.
 */
export const RAW_LINK_SCRIPT = `import fs from 'node:fs';
import path from 'node:path';
const [source, target] = process.argv.slice(2);
function walk(relative) {
  for (const entry of fs.readdirSync(path.join(source, relative), { withFileTypes: true })) {
    const name = path.join(relative, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(path.join(target, name), { recursive: true });
      walk(name);
    } else {
      fs.symlinkSync(path.join(source, name), path.join(target, name));
    }
  }
}
fs.mkdirSync(target, { recursive: true });
walk('');
`;
