import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdirAction } from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { CrashingStore, putOccupant, useWorld } from './fixture.js';

const world = useWorld();


describe('file.mkdir', () => {
  it('creates the directory and its parents with the mode, and undo removes exactly those', async () => {
    const path = join(world.home, 'a', 'b', 'c');
    const before = await world.snapshot();
    const out = await mkdirAction.do(world.ctx, { path, mode: '0700' });
    expect(((await stat(path)).mode & 0o7777).toString(8)).toBe('700');
    expect(((await stat(join(world.home, 'a'))).mode & 0o7777).toString(8)).toBe('755');
    await mkdirAction.undo(world.ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('leaves an existing directory alone and has nothing to undo', async () => {
    await putOccupant(join(world.home, 'd'), { kind: 'directory', files: { f: 'x' }, mode: 0o711 });
    const out = await mkdirAction.do(world.ctx, { path: join(world.home, 'd') });
    expect(out).toEqual({});
    expect(world.ctx.registered).toEqual([]);
  });

  it('treats a symlink to a directory as a directory and leaves it alone', async () => {
    await putOccupant(join(world.src, 'config'), { kind: 'directory', files: {}, mode: 0o755 });
    await putOccupant(join(world.home, '.config'), {
      kind: 'symlink',
      target: join(world.src, 'config'),
    });
    const before = await world.snapshot();
    expect(await mkdirAction.do(world.ctx, { path: join(world.home, '.config') })).toEqual({});
    expect((await mkdirAction.probe!(world.ctx, { path: join(world.home, '.config') })).kind).toBe(
      'ok-already',
    );
    expect(await world.snapshot()).toEqual(before);
  });

  it('keeps a created directory that is no longer empty', async () => {
    const path = join(world.home, 'new');
    const out = await mkdirAction.do(world.ctx, { path });
    await writeFile(join(path, 'user-file'), 'keep me');
    await mkdirAction.undo(world.ctx, out.undo as JsonValue);
    expect(await readdir(path)).toEqual(['user-file']);
    expect(world.ctx.lines.map((line) => line.message).join()).toContain('no longer empty');
  });

  it('backs up a file in the way, and undo puts it back', async () => {
    const path = join(world.home, 'x');
    await putOccupant(path, { kind: 'file', text: 'in the way', mode: 0o604 });
    const before = await world.snapshot();
    const out = await mkdirAction.do(world.ctx, { path });
    expect((await stat(path)).isDirectory()).toBe(true);
    await mkdirAction.undo(world.ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('undo after a crash before the backup changes nothing', async () => {
    const path = join(world.home, 'x');
    await putOccupant(path, { kind: 'symlink', target: 'somewhere' });
    const before = await world.snapshot();
    const crashing = fakeActionContext({ backups: new CrashingStore(world.store, 'before-backup') });
    await expect(mkdirAction.do(crashing, { path })).rejects.toThrow('simulated crash');
    await mkdirAction.undo(world.ctx, crashing.registered[0] as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it.each([
    ['nothing', { kind: 'missing' }, 'create'],
    ['a directory', { kind: 'directory', files: {}, mode: 0o755 }, 'ok-already'],
    ['a file', { kind: 'file', text: '', mode: 0o644 }, 'conflict'],
  ] as const)('probes %s as %s', async (_n, occupant, kind) => {
    await putOccupant(join(world.home, 'p'), occupant);
    expect((await mkdirAction.probe!(world.ctx, { path: join(world.home, 'p') })).kind).toBe(kind);
  });
});
