import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyAction, digestBytes, writeAction } from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { CrashingStore, OCCUPANTS, putOccupant, useWorld } from './fixture.js';

const world = useWorld();

const target = () => join(world.home, '.gitconfig');
const modeOf = async (p: string) => ((await stat(p)).mode & 0o7777).toString(8).padStart(4, '0');

describe('file.copy', () => {
  it.each(OCCUPANTS)(
    'writes content, and undo restores the tree byte-identically, when the target holds %s',
    async (_n, occupant) => {
      await putOccupant(target(), occupant);
      const before = await world.snapshot();
      const out = await copyAction.do(world.ctx, {
        path: target(),
        content: Buffer.from([0, 1, 2, 255]),
        mode: '0600',
      });
      expect(await readFile(target())).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(await modeOf(target())).toBe('0600');
      await copyAction.undo(world.ctx, out.undo as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it('copies the bytes of a source file and records both digests', async () => {
    await writeFile(join(world.src, 'gitconfig'), '[user]\n');
    const out = await copyAction.do(world.ctx, {
      path: target(),
      source: join(world.src, 'gitconfig'),
    });
    const digest = digestBytes('[user]\n');
    expect(out.digests).toEqual({ source: digest, target: digest });
    expect(out.result).toEqual({ path: target(), digest });
    expect(await modeOf(target())).toBe('0644');
  });

  it('does nothing when the target already has the same bytes and mode', async () => {
    await putOccupant(target(), { kind: 'file', text: 'same', mode: 0o644 });
    const out = await copyAction.do(world.ctx, { path: target(), content: 'same' });
    expect(out.undo).toBeUndefined();
    expect(out.digests).toEqual({ target: digestBytes('same') });
    expect(world.ctx.registered).toEqual([]);
  });

  it('changes only the mode when the bytes match, and undo restores the old mode', async () => {
    await putOccupant(target(), { kind: 'file', text: 'same', mode: 0o644 });
    const before = await world.snapshot();
    const out = await copyAction.do(world.ctx, { path: target(), content: 'same', mode: '0600' });
    expect(await modeOf(target())).toBe('0600');
    await copyAction.undo(world.ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('leaves no temporary file next to the target', async () => {
    await copyAction.do(world.ctx, { path: target(), content: 'x' });
    expect(await readdir(world.home)).toEqual(['.gitconfig']);
  });

  it('fails without content or source, and on an unreadable source', async () => {
    await expect(copyAction.do(world.ctx, { path: target() })).rejects.toMatchObject({
      code: 'invalid-slot',
    });
    await expect(
      copyAction.do(world.ctx, { path: target(), source: join(world.src, 'nope') }),
    ).rejects.toMatchObject({
      code: 'action-failed',
    });
    await expect(
      copyAction.do(world.ctx, { path: target(), content: 'x', mode: 'rw' }),
    ).rejects.toMatchObject({ code: 'invalid-slot' });
  });

  it.each(['before-backup', 'after-backup'] as const)(
    'undo from the registered state restores the tree after a crash %s',
    async (point) => {
      await putOccupant(target(), { kind: 'file', text: 'mine', mode: 0o600 });
      const before = await world.snapshot();
      const crashing = fakeActionContext({ backups: new CrashingStore(world.store, point) });
      await expect(copyAction.do(crashing, { path: target(), content: 'new' })).rejects.toThrow(
        'simulated crash',
      );
      // A crash in the middle of the write leaves a temporary sibling behind; undo removes it.
      await writeFile(join(world.home, '..gitconfig.writ-tmp-deadbeef'), 'half');
      await copyAction.undo(world.ctx, crashing.registered[0] as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it('refuses to undo over a file the user edited since the run', async () => {
    const out = await copyAction.do(world.ctx, { path: target(), content: 'deployed' });
    await writeFile(target(), 'edited');
    await expect(copyAction.undo(world.ctx, out.undo as JsonValue)).rejects.toMatchObject({
      code: 'action-failed',
    });
    expect(await readFile(target(), 'utf8')).toBe('edited');
  });

  describe('probe', () => {
    it.each([
      ['nothing', { kind: 'missing' }, 'create'],
      ['the same bytes and mode', { kind: 'file', text: 'c', mode: 0o644 }, 'ok-already'],
      ['other bytes', { kind: 'file', text: 'other', mode: 0o644 }, 'conflict'],
      ['the same bytes with another mode', { kind: 'file', text: 'c', mode: 0o600 }, 'conflict'],
      ['a directory', { kind: 'directory', files: {}, mode: 0o755 }, 'conflict'],
    ] as const)('reports a target holding %s as %s', async (_n, occupant, kind) => {
      await putOccupant(target(), occupant);
      expect((await copyAction.probe!(world.ctx, { path: target(), content: 'c' })).kind).toBe(
        kind,
      );
    });

    it('fails to probe when the source cannot be read', async () => {
      await expect(
        copyAction.probe!(world.ctx, { path: target(), source: join(world.src, 'nope') }),
      ).rejects.toMatchObject({ code: 'action-failed' });
    });

    it('reports a conflict for an existing file when the content is not known yet', async () => {
      await putOccupant(target(), { kind: 'file', text: 'c', mode: 0o644 });
      expect((await copyAction.probe!(world.ctx, { path: target() })).kind).toBe('conflict');
    });
  });
});

describe('file.write', () => {
  it.each(OCCUPANTS)(
    'writes a string, and undo restores the tree, when the target holds %s',
    async (_n, occupant) => {
      await putOccupant(target(), occupant);
      const before = await world.snapshot();
      const out = await writeAction.do(world.ctx, {
        path: target(),
        content: 'héllo\n',
        mode: '0640',
      });
      expect(await readFile(target(), 'utf8')).toBe('héllo\n');
      expect(await modeOf(target())).toBe('0640');
      expect(out.result).toEqual({ path: target(), digest: digestBytes('héllo\n') });
      await writeAction.undo(world.ctx, out.undo as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it('fails without content', async () => {
    await expect(writeAction.do(world.ctx, { path: target() })).rejects.toMatchObject({
      code: 'invalid-slot',
    });
  });

  it('probes ok-already for identical content', async () => {
    await putOccupant(target(), { kind: 'file', text: 'x', mode: 0o644 });
    expect((await writeAction.probe!(world.ctx, { path: target(), content: 'x' })).kind).toBe(
      'ok-already',
    );
  });
});
