import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  copyAction,
  linkAction,
  mkdirAction,
  writeAction,
  type CompensableAction,
} from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';
import { putOccupant, useWorld, type Occupant } from './fixture.js';

const world = useWorld();
beforeEach(async () => {
  await writeFile(join(world.src, 'source'), 'source bytes');
});

const mode = fc.constantFrom(0o600, 0o644, 0o700, 0o755, 0o640);
const name = fc.constantFrom('a', 'b', 'c d', '.hidden');
const occupant: fc.Arbitrary<Occupant> = fc.oneof(
  fc.constant({ kind: 'missing' } as const),
  fc.record({ kind: fc.constant('file' as const), text: fc.string(), mode }),
  fc.record({
    kind: fc.constant('directory' as const),
    files: fc.dictionary(name, fc.string(), { maxKeys: 3 }),
    mode,
  }),
  fc.record({
    kind: fc.constant('symlink' as const),
    target: fc.constantFrom('/x', '../y', 'source', 'z/w'),
  }),
);
const ACTIONS: ReadonlyArray<
  readonly [CompensableAction, (path: string) => Record<string, unknown>]
> = [
  [linkAction, (path) => ({ source: join(world.src, 'source'), path })],
  [copyAction, (path) => ({ path, content: 'copied', mode: '0600' })],
  [writeAction, (path) => ({ path, content: 'written' })],
  [mkdirAction, (path) => ({ path, mode: '0700' })],
];

describe('place (link, copy, write, mkdir)', () => {
  it('do then undo (twice, from the returned or the registered state) leaves the tree byte-identical', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: ACTIONS.length - 1 }),
        occupant,
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        async (index, occ, depth, fromRegistered) => {
          run += 1;
          const base = join(world.home, `run${run}`);
          const path = join(base, ...Array.from({ length: depth }, (_, i) => `p${i}`), 'target');
          await putOccupant(join(base, 'keep'), { kind: 'file', text: 'k', mode: 0o644 });
          await putOccupant(path, occ);
          const before = await snapshotTree(base);
          const [action, slots] = ACTIONS[index]!;
          const registeredBefore = world.ctx.registered.length;
          const out = await action.do(world.ctx, slots(path));
          // The registered state is all a crash right after the write would leave behind.
          const state = fromRegistered ? world.ctx.registered.at(-1) : out.undo;
          if (out.undo !== undefined) {
            expect(world.ctx.registered.length).toBe(registeredBefore + 1);
            await action.undo(world.ctx, state as JsonValue);
            await action.undo(world.ctx, state as JsonValue);
          }
          expect(await snapshotTree(base)).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
