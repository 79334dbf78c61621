import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/index.js';
import { makeTempDir, removeTempDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('writ-lore-atomic-');
});
afterEach(async () => removeTempDir(dir));

describe('writeFileAtomic', () => {
  it('replaces a file by default and keeps the requested mode', async () => {
    const file = path.join(dir, 'f');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two', { mode: 0o600 });
    expect(await fs.readFile(file, 'utf8')).toBe('two');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['f']);
  });

  it('refuses to overwrite with ifExists fail, leaving the old file and no temp file', async () => {
    const file = path.join(dir, 'f');
    await writeFileAtomic(file, 'one');
    await expect(writeFileAtomic(file, 'two', { ifExists: 'fail' })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(file, 'utf8')).toBe('one');
    expect(await fs.readdir(dir)).toEqual(['f']);
  });
});
