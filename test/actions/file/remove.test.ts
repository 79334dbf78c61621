import { readlink, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backupAction,
  removeAction,
  unlinkAction,
  type BackupRef,
} from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { CrashingStore, OCCUPANTS, putOccupant, useWorld } from './fixture.js';

const world = useWorld();

const target = () => join(world.home, 'item');
const present = OCCUPANTS.filter(([, o]) => o.kind !== 'missing');

describe.each([
  ['file.remove', removeAction],
  ['file.backup', backupAction],
] as const)('%s', (_name, action) => {
  it.each(present)(
    'moves %s to the backup store, and undo restores the tree byte-identically',
    async (_n, occupant) => {
      await putOccupant(target(), occupant);
      const before = await world.snapshot();
      const out = await action.do(world.ctx, { path: target() });
      expect((await snapshotTree(world.home))['item']).toBeUndefined();
      await action.undo(world.ctx, out.undo as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it('does nothing when the path is missing', async () => {
    const out = await action.do(world.ctx, { path: target() });
    expect(out.undo).toBeUndefined();
    expect(world.ctx.registered).toEqual([]);
  });

  it('undo after a crash before the move changes nothing', async () => {
    await putOccupant(target(), { kind: 'file', text: 'x', mode: 0o600 });
    const before = await world.snapshot();
    const crashing = fakeActionContext({ backups: new CrashingStore(world.store, 'before-backup') });
    await expect(action.do(crashing, { path: target() })).rejects.toThrow('simulated crash');
    await action.undo(world.ctx, crashing.registered[0] as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('refuses to undo over something new at the path', async () => {
    await putOccupant(target(), { kind: 'file', text: 'old', mode: 0o600 });
    const out = await action.do(world.ctx, { path: target() });
    await putOccupant(target(), { kind: 'file', text: 'new', mode: 0o600 });
    await expect(action.undo(world.ctx, out.undo as JsonValue)).rejects.toMatchObject({
      code: 'action-failed',
    });
    expect(await readFile(target(), 'utf8')).toBe('new');
  });
});

describe('file.backup', () => {
  it('returns the BackupRef as its result', async () => {
    await putOccupant(target(), { kind: 'file', text: 'keep', mode: 0o600 });
    const out = await backupAction.do(world.ctx, { path: target() });
    const ref = out.result as BackupRef;
    expect(ref).toMatchObject({ original: target(), type: 'file' });
    expect(await readFile(join(world.store.root, ref.id), 'utf8')).toBe('keep');
  });
});

describe('file.unlink', () => {
  it('removes a symlink, and undo re-creates it with the same target', async () => {
    await symlink('../some/where', target());
    const before = await world.snapshot();
    const out = await unlinkAction.do(world.ctx, { path: target() });
    expect((await snapshotTree(world.home))['item']).toBeUndefined();
    await unlinkAction.undo(world.ctx, out.undo as JsonValue);
    expect(await readlink(target())).toBe('../some/where');
    expect(await world.snapshot()).toEqual(before);
  });

  it.each([
    ['a regular file', { kind: 'file', text: 'x', mode: 0o644 }],
    ['a directory', { kind: 'directory', files: { a: 'b' }, mode: 0o755 }],
  ] as const)('refuses %s with a clear error and changes nothing', async (_n, occupant) => {
    await putOccupant(target(), occupant);
    const before = await world.snapshot();
    await expect(unlinkAction.do(world.ctx, { path: target() })).rejects.toThrow(
      /refusing to unlink .*not a symlink/,
    );
    expect(await world.snapshot()).toEqual(before);
  });

  it.each([
    ['nothing', { kind: 'missing' }, 'ok-already'],
    ['a symlink', { kind: 'symlink', target: '/x' }, 'replace'],
    ['a file', { kind: 'file', text: '', mode: 0o644 }, 'conflict'],
  ] as const)('probes %s as %s', async (_n, occupant, kind) => {
    await putOccupant(target(), occupant);
    expect((await unlinkAction.probe!(world.ctx, { path: target() })).kind).toBe(kind);
  });
});
