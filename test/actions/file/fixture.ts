import { mkdir, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DirectoryBackupStore, type BackupStore } from '../../../src/actions/index.js';
import { fakeActionContext, type FakeActionContext } from '../../helpers/fake-action-context.js';
import { useInTempDir } from '../../helpers/temp-dir.js';
import { snapshotTree, type TreeSnapshot } from '../../helpers/tree-snapshot.js';

/** A temp world for file-action tests: a home to write into, a source tree, a backup store. */
export interface World {
  readonly root: string;
  readonly home: string;
  readonly src: string;
  readonly store: DirectoryBackupStore;
  /** A context over `store`, recording what actions register and log. */
  readonly ctx: FakeActionContext;
  /** The whole world but the backup store, as a tree snapshot. */
  snapshot(): Promise<TreeSnapshot>;
}

/** Creates a world (`home/`, `src/`, a backup store under `state/`) inside the directory `root`. */
export async function makeWorld(root: string): Promise<World> {
  const home = join(root, 'home');
  const src = join(root, 'src');
  await mkdir(home);
  await mkdir(src);
  const store = new DirectoryBackupStore(join(root, 'state', 'backups', 'writ-test'));
  const ctx = fakeActionContext({ backups: store });
  const snapshot = (): Promise<TreeSnapshot> => snapshotTree(root, { ignore: (p) => p === 'state' });
  return { root, home, src, store, ctx, snapshot };
}

/**
 * A fresh {@link World} for each test of the calling file or `describe` (removed after it); the
 * object returned reads the running test's world.
 */
export function useWorld(): World {
  const current = useInTempDir('writ-file-', makeWorld);
  return {
    get root() {
      return current().root;
    },
    get home() {
      return current().home;
    },
    get src() {
      return current().src;
    },
    get store() {
      return current().store;
    },
    get ctx() {
      return current().ctx;
    },
    snapshot: () => current().snapshot(),
  };
}

/** What to put at a path before a test. */
export type Occupant =
  | { readonly kind: 'missing' }
  | { readonly kind: 'file'; readonly text: string; readonly mode: number }
  | {
      readonly kind: 'directory';
      readonly files: Readonly<Record<string, string>>;
      readonly mode: number;
    }
  | { readonly kind: 'symlink'; readonly target: string };

/** Puts `occupant` at `path` (parents created). */
export async function putOccupant(path: string, occupant: Occupant): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  switch (occupant.kind) {
    case 'missing':
      return;
    case 'file':
      await writeFile(path, occupant.text);
      await chmod(path, occupant.mode);
      return;
    case 'directory':
      await mkdir(path);
      for (const [name, text] of Object.entries(occupant.files))
        await writeFile(join(path, name), text);
      await chmod(path, occupant.mode);
      return;
    case 'symlink':
      await symlink(occupant.target, path);
      return;
    default:
      return occupant satisfies never;
  }
}

/** The occupants every "replace what is there" test runs against. */
export const OCCUPANTS: ReadonlyArray<readonly [string, Occupant]> = [
  ['nothing', { kind: 'missing' }],
  ['a regular file', { kind: 'file', text: 'user data\n', mode: 0o600 }],
  ['an executable file', { kind: 'file', text: '#!/bin/sh\n', mode: 0o755 }],
  ['a directory with contents', { kind: 'directory', files: { a: 'A', b: 'B' }, mode: 0o750 }],
  ['a foreign symlink', { kind: 'symlink', target: '/elsewhere/file' }],
  ['a dangling relative symlink', { kind: 'symlink', target: '../nowhere' }],
];

/** Where a simulated crash stops an action: before its backup, or after it (before the write). */
export type CrashPoint = 'before-backup' | 'after-backup';

/** A BackupStore that dies at `point`, as a process crash would, to test undo of half-done steps. */
export class CrashingStore implements BackupStore {
  readonly root: string;
  constructor(
    private readonly inner: BackupStore,
    private readonly point: CrashPoint,
  ) {
    this.root = inner.root;
  }
  async save(...args: Parameters<BackupStore['save']>): ReturnType<BackupStore['save']> {
    if (this.point === 'before-backup') throw new Error('simulated crash before the backup');
    await this.inner.save(...args);
    throw new Error('simulated crash after the backup');
  }
  restore(...args: Parameters<BackupStore['restore']>): ReturnType<BackupStore['restore']> {
    return this.inner.restore(...args);
  }
}
