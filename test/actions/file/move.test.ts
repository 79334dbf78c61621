import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveAction } from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { CrashingStore, OCCUPANTS, putOccupant, useWorld } from './fixture.js';

const world = useWorld();

const from = () => join(world.home, 'from');
const to = () => join(world.home, 'sub', 'to');

describe('file.move', () => {
  it.each(OCCUPANTS)(
    'moves, and undo restores the tree byte-identically, when the destination holds %s',
    async (_n, occupant) => {
      await putOccupant(from(), { kind: 'directory', files: { f: 'F' }, mode: 0o705 });
      await putOccupant(to(), occupant);
      const before = await world.snapshot();
      const out = await moveAction.do(world.ctx, { source: from(), path: to() });
      expect(await readFile(join(to(), 'f'), 'utf8')).toBe('F');
      await moveAction.undo(world.ctx, out.undo as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it('creates missing parents and undo removes them', async () => {
    await writeFile(from(), 'x');
    const before = await world.snapshot();
    const out = await moveAction.do(world.ctx, {
      source: from(),
      path: join(world.home, 'n', 'm', 'to'),
    });
    await moveAction.undo(world.ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('fails when the source does not exist', async () => {
    await expect(moveAction.do(world.ctx, { source: from(), path: to() })).rejects.toMatchObject({
      code: 'action-failed',
    });
  });

  it.each(['before-backup', 'after-backup'] as const)(
    'undo restores the tree after a crash %s',
    async (point) => {
      await writeFile(from(), 'moving');
      await putOccupant(to(), { kind: 'file', text: 'in the way', mode: 0o600 });
      const before = await world.snapshot();
      const crashing = fakeActionContext({ backups: new CrashingStore(world.store, point) });
      await expect(moveAction.do(crashing, { source: from(), path: to() })).rejects.toThrow(
        'simulated crash',
      );
      await moveAction.undo(world.ctx, crashing.registered[0] as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    },
  );

  it.each([
    ['a free destination', false, 'create'],
    ['an occupied destination', true, 'conflict'],
  ] as const)('probes %s as %s', async (_n, occupied, kind) => {
    await writeFile(from(), 'x');
    if (occupied) await putOccupant(to(), { kind: 'file', text: 'y', mode: 0o644 });
    expect((await moveAction.probe!(world.ctx, { source: from(), path: to() })).kind).toBe(kind);
  });
});
