import { lstat, readFile, readdir, readlink, symlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { linkAction } from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { CrashingStore, OCCUPANTS, putOccupant, useWorld } from './fixture.js';

const world = useWorld();
beforeEach(async () => {
  await writeFile(join(world.src, 'bashrc'), 'export A=1\n');
});

const slots = (extra: Record<string, unknown> = {}) => ({
  source: join(world.src, 'bashrc'),
  path: join(world.home, '.bashrc'),
  ...extra,
});

describe('file.link', () => {
  it.each(OCCUPANTS)(
    'links, and undo restores the tree byte-identically, when the target holds %s',
    async (_name, occupant) => {
      await putOccupant(slots().path, occupant);
      const before = await world.snapshot();
      const out = await linkAction.do(world.ctx, slots());
      expect(await readlink(slots().path)).toBe(slots().source);
      expect(out.undo).toBeDefined();
      await linkAction.undo(world.ctx, out.undo as JsonValue);
      expect(await world.snapshot()).toEqual(before);
      expect(await readdir(world.store.root).catch(() => [])).toEqual([]);
    },
  );

  it('keeps a displaced item in the backup store whole until undo', async () => {
    await putOccupant(slots().path, { kind: 'directory', files: { x: 'X' }, mode: 0o700 });
    const out = await linkAction.do(world.ctx, slots());
    const undo = out.undo as { backup: { id: string; type: string } };
    expect(undo.backup.type).toBe('directory');
    expect(await readFile(join(world.store.root, undo.backup.id, 'x'), 'utf8')).toBe('X');
  });

  it('does nothing and registers nothing when the link already points at the source', async () => {
    await symlink(slots().source, slots().path);
    const out = await linkAction.do(world.ctx, slots());
    expect(out).toEqual({});
    expect(world.ctx.registered).toEqual([]);
  });

  it('replaces an old link and keeps the old link in the backup store', async () => {
    await symlink('/old/source', slots().path);
    const out = await linkAction.do(world.ctx, slots());
    expect(await readlink(slots().path)).toBe(slots().source);
    const undo = out.undo as { backup: { id: string } };
    expect(await readlink(join(world.store.root, undo.backup.id))).toBe('/old/source');
    expect((await readdir(world.home)).filter((n) => n.includes('writ-tmp'))).toEqual([]);
  });

  it('creates missing parents and undo removes them when empty', async () => {
    const path = join(world.home, 'a', 'b', '.rc');
    const before = await world.snapshot();
    const out = await linkAction.do(world.ctx, slots({ path }));
    expect((out.undo as { created_dirs: string[] }).created_dirs).toEqual([
      join(world.home, 'a'),
      join(world.home, 'a', 'b'),
    ]);
    await linkAction.undo(world.ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('keeps a created parent that is no longer empty and says so', async () => {
    const path = join(world.home, 'a', '.rc');
    const out = await linkAction.do(world.ctx, slots({ path }));
    await writeFile(join(world.home, 'a', 'mine'), 'new');
    await linkAction.undo(world.ctx, out.undo as JsonValue);
    expect(await readdir(join(world.home, 'a'))).toEqual(['mine']);
    expect(world.ctx.lines.map((line) => line.message).join()).toContain('no longer empty');
  });

  it('fails with an action error when the source does not exist', async () => {
    await expect(
      linkAction.do(world.ctx, slots({ source: join(world.src, 'nope') })),
    ).rejects.toMatchObject({
      code: 'action-failed',
    });
  });

  it('fails when a parent is a regular file, and undo from the registered state changes nothing', async () => {
    await putOccupant(join(world.home, 'plain'), { kind: 'file', text: 'f', mode: 0o644 });
    const before = await world.snapshot();
    await expect(
      linkAction.do(world.ctx, slots({ path: join(world.home, 'plain', 'sub', '.rc') })),
    ).rejects.toThrow();
    for (const state of world.ctx.registered) await linkAction.undo(world.ctx, state);
    expect(await world.snapshot()).toEqual(before);
  });

  it('undo is idempotent', async () => {
    await putOccupant(slots().path, { kind: 'file', text: 'mine', mode: 0o640 });
    const before = await world.snapshot();
    const out = await linkAction.do(world.ctx, slots());
    await linkAction.undo(world.ctx, out.undo as JsonValue);
    await linkAction.undo(world.ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it.each(['before-backup', 'after-backup'] as const)(
    'undo from the registered state restores the tree after a crash %s',
    async (point) => {
      await putOccupant(slots().path, { kind: 'file', text: 'mine', mode: 0o640 });
      const before = await world.snapshot();
      const crashing = fakeActionContext({ backups: new CrashingStore(world.store, point) });
      await expect(linkAction.do(crashing, slots())).rejects.toThrow('simulated crash');
      expect(crashing.registered).toHaveLength(1);
      await linkAction.undo(world.ctx, crashing.registered[0] as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it('refuses to undo when the user replaced the link since the run', async () => {
    const out = await linkAction.do(world.ctx, slots());
    await putOccupant(join(world.home, 'tmp'), { kind: 'missing' });
    await (await import('node:fs/promises')).unlink(slots().path);
    await writeFile(slots().path, 'edited by hand');
    await expect(linkAction.undo(world.ctx, out.undo as JsonValue)).rejects.toMatchObject({
      code: 'action-failed',
    });
    expect(await readFile(slots().path, 'utf8')).toBe('edited by hand');
  });

  it('marks the backup disposable under the overwrite resolution', async () => {
    await putOccupant(slots().path, { kind: 'file', text: 'mine', mode: 0o644 });
    const out = await linkAction.do(world.ctx, slots({ on_conflict: 'overwrite' }));
    expect((out.undo as { backup: { disposable?: boolean } }).backup.disposable).toBe(true);
  });

  it('rejects undo state of the wrong shape', async () => {
    await expect(linkAction.undo(world.ctx, { kind: 'place' })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    await expect(linkAction.undo(world.ctx, 'x')).rejects.toMatchObject({ code: 'invalid-input' });
  });

  describe('adopt', () => {
    it('moves the user file into the source, links back, and undo restores both', async () => {
      await putOccupant(slots().path, { kind: 'file', text: 'the user version\n', mode: 0o600 });
      const before = await world.snapshot();
      const out = await linkAction.do(world.ctx, slots({ on_conflict: 'adopt' }));
      expect(await readlink(slots().path)).toBe(slots().source);
      expect(await readFile(slots().source, 'utf8')).toBe('the user version\n');
      expect(((await lstat(slots().source)).mode & 0o777).toString(8)).toBe('600');
      await linkAction.undo(world.ctx, out.undo as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    });

    it.each(['before-backup', 'after-backup'] as const)(
      'undo restores both after a crash %s',
      async (point) => {
        await putOccupant(slots().path, { kind: 'file', text: 'user', mode: 0o600 });
        const before = await world.snapshot();
        const crashing = fakeActionContext({ backups: new CrashingStore(world.store, point) });
        await expect(linkAction.do(crashing, slots({ on_conflict: 'adopt' }))).rejects.toThrow(
          'simulated crash',
        );
        await linkAction.undo(world.ctx, crashing.registered[0] as JsonValue);
        expect(await world.snapshot()).toEqual(before);
      },
    );
  });

  describe('probe', () => {
    it.each([
      ['nothing', { kind: 'missing' }, 'create'],
      ['a regular file', { kind: 'file', text: 'x', mode: 0o644 }, 'conflict'],
      ['a directory', { kind: 'directory', files: {}, mode: 0o755 }, 'conflict'],
      ['a foreign symlink', { kind: 'symlink', target: '/x' }, 'conflict'],
    ] as const)('reports %s as %s and changes nothing', async (_n, occupant, kind) => {
      await putOccupant(slots().path, occupant);
      const before = await world.snapshot();
      expect((await linkAction.probe!(world.ctx, slots())).kind).toBe(kind);
      expect(await world.snapshot()).toEqual(before);
    });

    it('reports ok-already for a link to the source', async () => {
      await symlink(slots().source, slots().path);
      expect(await linkAction.probe!(world.ctx, slots())).toEqual({
        kind: 'ok-already',
        target: slots().path,
      });
    });

    it('reports the digest of a conflicting regular file', async () => {
      await mkdir(world.home, { recursive: true });
      await writeFile(slots().path, 'abc');
      const outcome = await linkAction.probe!(world.ctx, slots());
      expect(outcome).toMatchObject({
        kind: 'conflict',
        current: {
          type: 'file',
          digest: 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        },
      });
    });
  });
});
