import { randomBytes } from 'node:crypto';
import {
  chmod,
  copyFile,
  lutimes,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { basename, dirname, join, normalize, isAbsolute } from 'node:path';
import { WritLoreError, type JsonValue } from '../graph/index.js';
import type { BackupRef, BackupSaveOptions, BackupStore } from './backup.js';
import { lstatOrUndefined } from './fs-state.js';

/** A fresh, unique backup id for an item that lives at `original` (`<random>-<basename>`). */
export function newBackupId(original: string): string {
  return `${randomBytes(6).toString('hex')}-${basename(original)}`;
}

/** Where `ref` lives on disk inside `store`. */
export function backupLocation(store: BackupStore, ref: BackupRef): string {
  return join(store.root, ref.id);
}

/** True when the backed-up item of `ref` is still in `store` (it leaves when restored). */
export function hasBackup(store: BackupStore, ref: BackupRef): boolean {
  return lstatOrUndefined(backupLocation(store, ref)) !== undefined;
}

/** Every BackupRef inside an undo state (they may be nested in arrays and objects). */
export function backupRefsIn(value: JsonValue | undefined, found: BackupRef[] = []): BackupRef[] {
  if (value === null || value === undefined || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    for (const item of value as readonly JsonValue[]) backupRefsIn(item, found);
    return found;
  }
  const record = value as Readonly<Record<string, JsonValue>>;
  const type = record['type'];
  const isRef =
    typeof record['id'] === 'string' &&
    typeof record['original'] === 'string' &&
    (type === 'file' || type === 'directory' || type === 'symlink');
  if (isRef) found.push(record as BackupRef);
  // One walk, one array: this runs over every node of a receipt (a run's summary, pruning).
  else for (const key in record) backupRefsIn(record[key], found);
  return found;
}

/**
 * A BackupStore over a plain directory: each item is kept under `<root>/<id>` with its bytes,
 * mode, type (file, directory tree, symlink) and link target intact. Moves are renames when the
 * store and the item share a filesystem, and copy-then-remove otherwise.
 * @example
 * const store = new DirectoryBackupStore(join(stateDir, 'backups', receiptName));
 * const ref = await store.save('/home/me/.bashrc');
 * await store.restore(ref);
 */
export class DirectoryBackupStore implements BackupStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Moves (default) or copies `path` into the store under a new or caller-chosen id. */
  async save(
    path: string,
    how: 'move' | 'copy' = 'move',
    options: BackupSaveOptions = {},
  ): Promise<BackupRef> {
    const type = itemType(path);
    const id = options.id ?? newBackupId(path);
    const location = this.locate(id);
    if (lstatOrUndefined(location) !== undefined) {
      throw new WritLoreError('internal', `backup id ${id} is already used in ${this.root}`, {
        path,
      });
    }
    await mkdir(dirname(location), { recursive: true });
    if (how === 'move') await moveItem(path, location);
    else await copyItem(path, location);
    const ref: BackupRef = { id, original: path, type };
    return options.disposable === true ? { ...ref, disposable: true } : ref;
  }

  /** Moves a backed-up item back to its original place (or `to`), which must be empty. */
  async restore(ref: BackupRef, to: string = ref.original): Promise<void> {
    const location = this.locate(ref.id);
    if (lstatOrUndefined(location) === undefined) {
      throw new WritLoreError(
        'not-found',
        `backup ${ref.id} of ${ref.original} is not in ${this.root}`,
        {
          path: location,
        },
      );
    }
    if (lstatOrUndefined(to) !== undefined) {
      throw new WritLoreError(
        'conflict',
        `cannot restore backup of ${ref.original}: ${to} is occupied`,
        {
          path: to,
          hint: `move ${to} away, or restore by hand from ${location}`,
        },
      );
    }
    await mkdir(dirname(to), { recursive: true });
    await moveItem(location, to);
  }

  private locate(id: string): string {
    const relative = normalize(id);
    if (isAbsolute(relative) || relative.startsWith('..') || relative === '.') {
      throw new WritLoreError('invalid-input', `backup id ${JSON.stringify(id)} escapes the store`);
    }
    return join(this.root, relative);
  }
}

function itemType(path: string): BackupRef['type'] {
  const stats = lstatOrUndefined(path);
  if (stats === undefined)
    throw new WritLoreError('not-found', `nothing to back up at ${path}`, { path });
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  throw new WritLoreError(
    'action-failed',
    `cannot back up ${path}: not a file, directory or symlink`,
    { path },
  );
}

/** Renames `from` to `to`; across filesystems, copies exactly and then removes `from`. */
export async function moveItem(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyItem(from, to);
    await rm(from, { recursive: true });
  }
}

/** Copies a file, symlink or directory tree, keeping modes, link targets and times. */
export async function copyItem(from: string, to: string): Promise<void> {
  const stats = lstatOrUndefined(from);
  if (stats === undefined) {
    throw new WritLoreError('not-found', `${from} does not exist`, { path: from });
  }
  if (stats.isSymbolicLink()) {
    await symlink(await readlink(from), to);
    await lutimes(to, stats.atime, stats.mtime);
    return;
  }
  if (stats.isDirectory()) {
    await mkdir(to, { mode: 0o700 });
    for (const name of await readdir(from)) await copyItem(join(from, name), join(to, name));
  } else if (stats.isFile()) {
    await copyFile(from, to);
  } else {
    const message = `cannot copy ${from}: not a file, directory or symlink`;
    throw new WritLoreError('action-failed', message, { path: from });
  }
  await chmod(to, stats.mode & 0o7777);
  await utimes(to, stats.atime, stats.mtime);
}
