import path from 'node:path';
import { deployedKind, lastEffective, type FileEntry } from './entries.js';

/** A directory or file of a {@link FileTree}; `entry` is set where a receipt names the path. */
export interface FileTreeNode {
  readonly name: string;
  readonly path: string;
  readonly children: ReadonlyMap<string, FileTreeNode>;
  readonly entry?: FileEntry;
}

interface MutableNode {
  name: string;
  path: string;
  children: Map<string, MutableNode>;
  entry?: FileEntry;
}

/**
 * The deployed files, flat (sorted by path) and hierarchical (from `/`, or collapsed to the
 * deepest directory shared by every entry).
 */
export class FileTree {
  /** Every entry, sorted by path. */
  readonly entries: readonly FileEntry[];
  /** The hierarchy rooted at the common ancestor directory of all entries. */
  readonly root: FileTreeNode;
  private readonly byPath: ReadonlyMap<string, FileEntry>;

  constructor(entries: Iterable<FileEntry>) {
    this.entries = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.byPath = new Map(this.entries.map((entry) => [entry.path, entry]));
    this.root = buildHierarchy(this.entries);
  }

  /** The entry at an absolute path. */
  get(target: string): FileEntry | undefined {
    return this.byPath.get(path.normalize(target));
  }

  /** Entries whose last effective record belongs to `project`. */
  forProject(project: string): FileEntry[] {
    return this.entries.filter((entry) => lastEffective(entry)?.project === project);
  }

  /** Entries deployed as symlinks. */
  linked(): FileEntry[] {
    return this.entries.filter((entry) => deployedKind(entry) === 'link');
  }

  /** Entries deployed as copies (copy, write, download). */
  copied(): FileEntry[] {
    return this.entries.filter((entry) => {
      const kind = deployedKind(entry);
      return kind === 'copy' || kind === 'write';
    });
  }

  /** Project names that have a deployed entry, sorted. */
  projects(): string[] {
    const names = new Set<string>();
    for (const entry of this.entries) {
      const project = lastEffective(entry)?.project;
      if (project !== undefined && project !== '') names.add(project);
    }
    return [...names].sort();
  }
}

function commonDirectory(entries: readonly FileEntry[]): string {
  const first = entries[0];
  if (first === undefined) return '/';
  let common = path.dirname(first.path);
  for (const entry of entries) {
    while (common !== '/' && !entry.path.startsWith(`${common}/`)) common = path.dirname(common);
  }
  return common;
}

function buildHierarchy(entries: readonly FileEntry[]): FileTreeNode {
  const base = commonDirectory(entries);
  const root: MutableNode = { name: base, path: base, children: new Map() };
  for (const entry of entries) {
    const relative = path.relative(base, entry.path);
    let node = root;
    for (const part of relative.split('/')) {
      if (part === '') continue;
      let child = node.children.get(part);
      if (child === undefined) {
        child = { name: part, path: path.join(node.path, part), children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.entry = entry;
  }
  return root;
}
