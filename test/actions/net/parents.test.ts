import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeEmptyDirectories } from '../../../src/actions/net/parents.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const temp = useTempDir('writ-parents-');

describe('removeEmptyDirectories', () => {
  it('removes the empty ones innermost first and keeps a non-empty one', async () => {
    const outer = join(temp.path, 'a');
    await mkdir(join(outer, 'b', 'c'), { recursive: true });
    await mkdir(join(temp.path, 'kept'));
    await writeFile(join(temp.path, 'kept', 'theirs'), 'x');
    const kept = await removeEmptyDirectories([outer, join(outer, 'b'), join(outer, 'b', 'c'), join(temp.path, 'kept')]);
    expect(kept).toEqual([join(temp.path, 'kept')]);
    expect(Object.keys(await snapshotTree(temp.path))).toEqual(['.', 'kept', 'kept/theirs']);
  });

  it('skips directories that were never made because a parent is a file (ENOTDIR)', async () => {
    const file = join(temp.path, 'prefix');
    await writeFile(file, 'a file where a directory was expected\n');
    const before = await snapshotTree(temp.path);
    await expect(removeEmptyDirectories([join(file, 'lib'), join(file, 'lib', 'lore')])).resolves.toEqual([]);
    expect(await snapshotTree(temp.path)).toEqual(before);
  });
});
