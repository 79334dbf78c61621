import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryBackupStore, hasBackup } from '../../src/actions/index.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

let dir: string;
let store: DirectoryBackupStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writ-backups-'));
  await mkdir(join(dir, 'home'));
  store = new DirectoryBackupStore(join(dir, 'state', 'backups', 'writ-2026-01-01T00-00-00-000Z'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A file with an odd mode, a directory tree with a nested link, and a dangling symlink. */
async function populate(home: string): Promise<void> {
  await writeFile(join(home, 'secret'), 'token\n');
  await chmod(join(home, 'secret'), 0o600);
  await mkdir(join(home, 'tree', 'inner'), { recursive: true });
  await writeFile(join(home, 'tree', 'inner', 'bin'), Buffer.from([0, 255, 10]));
  await chmod(join(home, 'tree', 'inner', 'bin'), 0o755);
  await symlink('../secret', join(home, 'tree', 'up'));
  await chmod(join(home, 'tree'), 0o700);
  await symlink('/does/not/exist', join(home, 'dangling'));
}

describe('DirectoryBackupStore', () => {
  it.each(['secret', 'tree', 'dangling'])(
    'moves %s into the store and restores it byte-identically',
    async (name) => {
      const home = join(dir, 'home');
      await populate(home);
      const before = await snapshotTree(home);
      const ref = await store.save(join(home, name));
      expect((await snapshotTree(home))[name]).toBeUndefined();
      expect(hasBackup(store, ref)).toBe(true);
      await store.restore(ref);
      expect(await snapshotTree(home)).toEqual(before);
      expect(hasBackup(store, ref)).toBe(false);
    },
  );

  it('moves across filesystems with modes, link targets and times intact', async () => {
    const shm = await mkdtemp('/dev/shm/writ-backups-');
    try {
      const remote = new DirectoryBackupStore(join(shm, 'store'));
      const home = join(dir, 'home');
      await populate(home);
      const before = await snapshotTree(home);
      const mtime = (await stat(join(home, 'secret'))).mtimeMs;
      const refs = [await remote.save(join(home, 'tree')), await remote.save(join(home, 'secret'))];
      expect(await readdir(home)).toEqual(['dangling']);
      for (const ref of refs) await remote.restore(ref);
      expect(await snapshotTree(home)).toEqual(before);
      expect(Math.abs((await stat(join(home, 'secret'))).mtimeMs - mtime)).toBeLessThan(1);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('copies without touching the original when asked to', async () => {
    await populate(join(dir, 'home'));
    const before = await snapshotTree(join(dir, 'home'));
    const ref = await store.save(join(dir, 'home', 'tree'), 'copy');
    expect(await snapshotTree(join(dir, 'home'))).toEqual(before);
    expect(await snapshotTree(join(store.root, ref.id))).toEqual(
      await snapshotTree(join(dir, 'home', 'tree')),
    );
  });

  it('uses the id the caller chose and records the type and disposability', async () => {
    await writeFile(join(dir, 'home', 'f'), 'x');
    const ref = await store.save(join(dir, 'home', 'f'), 'move', {
      id: 'node-1/f',
      disposable: true,
    });
    expect(ref).toEqual({
      id: 'node-1/f',
      original: join(dir, 'home', 'f'),
      type: 'file',
      disposable: true,
    });
    expect(await readFile(join(store.root, 'node-1', 'f'), 'utf8')).toBe('x');
  });

  it('gives every save a distinct id by default', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      await writeFile(join(dir, 'home', 'f'), String(i));
      ids.add((await store.save(join(dir, 'home', 'f'))).id);
    }
    expect(ids.size).toBe(20);
  });

  it('refuses an id that is taken or escapes the store', async () => {
    await writeFile(join(dir, 'home', 'f'), 'x');
    await store.save(join(dir, 'home', 'f'), 'copy', { id: 'same' });
    await expect(store.save(join(dir, 'home', 'f'), 'copy', { id: 'same' })).rejects.toMatchObject({
      code: 'internal',
    });
    await expect(
      store.save(join(dir, 'home', 'f'), 'copy', { id: '../out' }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('refuses to restore over an occupied path, and can restore elsewhere', async () => {
    await writeFile(join(dir, 'home', 'f'), 'old');
    const ref = await store.save(join(dir, 'home', 'f'));
    await writeFile(join(dir, 'home', 'f'), 'new');
    await expect(store.restore(ref)).rejects.toMatchObject({ code: 'conflict' });
    expect(await readFile(join(dir, 'home', 'f'), 'utf8')).toBe('new');
    await store.restore(ref, join(dir, 'home', 'elsewhere', 'f.old'));
    expect(await readFile(join(dir, 'home', 'elsewhere', 'f.old'), 'utf8')).toBe('old');
  });

  it('reports a missing item and a missing backup as not-found', async () => {
    await expect(store.save(join(dir, 'home', 'nope'))).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(
      store.restore({ id: 'gone', original: join(dir, 'x'), type: 'file' }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps the mode of a read-only directory it copies', async () => {
    await mkdir(join(dir, 'home', 'ro'));
    await writeFile(join(dir, 'home', 'ro', 'f'), 'x');
    await chmod(join(dir, 'home', 'ro'), 0o555);
    const ref = await store.save(join(dir, 'home', 'ro'), 'copy');
    expect((await stat(join(store.root, ref.id))).mode & 0o7777).toBe(0o555);
  });
});
