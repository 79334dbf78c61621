import { chmod, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotTree } from './tree-snapshot.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writ-snapshot-'));
  await mkdir(join(dir, 'd'));
  await writeFile(join(dir, 'd', 'f'), 'text');
  await writeFile(join(dir, 'bin'), Buffer.from([0xff, 0xfe]));
  await symlink('d/f', join(dir, 'l'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('snapshotTree', () => {
  it('records every path with its type, mode, bytes and link target, in sorted order', async () => {
    const snapshot = await snapshotTree(dir);
    expect(Object.keys(snapshot)).toEqual(['.', 'bin', 'd', 'd/f', 'l']);
    expect(snapshot['d/f']).toMatchObject({ type: 'file', size: 4, text: 'text' });
    expect(snapshot['bin']).not.toHaveProperty('text');
    expect(snapshot['l']).toEqual({ type: 'symlink', link_target: 'd/f' });
  });

  it.each([
    ['a mode', () => chmod(join(dir, 'd', 'f'), 0o600), ['d/f']],
    ['a byte', () => writeFile(join(dir, 'bin'), Buffer.from([0xff, 0xff])), ['bin']],
    [
      'a link target',
      async () => {
        await unlink(join(dir, 'l'));
        await symlink('d', join(dir, 'l'));
      },
      ['l'],
    ],
    [
      'a type',
      async () => {
        await unlink(join(dir, 'l'));
        await writeFile(join(dir, 'l'), 'd/f');
      },
      ['l'],
    ],
    ['a new empty directory', () => mkdir(join(dir, 'e')), ['e']],
  ] as const)('notices a change of %s', async (_what, change, paths) => {
    const before = await snapshotTree(dir);
    await change();
    const after = await snapshotTree(dir);
    expect(after).not.toEqual(before);
    expect(diffSnapshots(before, after)).toEqual(paths);
  });

  it('leaves out ignored paths and everything under them', async () => {
    expect(Object.keys(await snapshotTree(dir, { ignore: (p) => p === 'd' }))).toEqual([
      '.',
      'bin',
      'l',
    ]);
  });
});
