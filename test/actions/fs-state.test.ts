import { execFileSync } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
  chmod,
  lstat,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  atomicSymlink,
  atomicWriteFile,
  digestBytes,
  digestFile,
  formatMode,
  parseMode,
  readTargetState,
  sameTargetState,
  type TargetState,
} from '../../src/actions/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writ-fs-state-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('readTargetState', () => {
  it('describes each kind of thing at a path', async () => {
    await writeFile(join(dir, 'f'), 'abc');
    await chmod(join(dir, 'f'), 0o640);
    await mkdir(join(dir, 'd'), { mode: 0o750 });
    await chmod(join(dir, 'd'), 0o750);
    await symlink('../target', join(dir, 'l'));
    execFileSync('mkfifo', [join(dir, 'p')]);
    expect(await readTargetState(join(dir, 'missing'))).toEqual({ type: 'missing' });
    expect(await readTargetState(join(dir, 'f'))).toEqual({
      type: 'file',
      digest: digestBytes('abc'),
      mode: '0640',
    });
    expect(await readTargetState(join(dir, 'd'))).toEqual({ type: 'directory', mode: '0750' });
    expect(await readTargetState(join(dir, 'l'))).toEqual({
      type: 'symlink',
      link_target: '../target',
    });
    expect((await readTargetState(join(dir, 'p'))).type).toBe('other');
  });

  it('digests a large file by streaming to the same digest as its bytes', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(join(dir, 'big'), bytes);
    expect(await digestFile(join(dir, 'big'))).toBe(digestBytes(bytes));
  });
});

describe('modes', () => {
  it.each([
    ['0644', 0o644],
    ['644', 0o644],
    ['0600', 0o600],
    ['4755', 0o4755],
  ])('parses %s', (text, mode) => {
    expect(parseMode(text)).toBe(mode);
  });

  it.each(['rw-r--r--', '0o644', '999', '', '12'])('rejects %j', (text) => {
    expect(() => parseMode(text)).toThrow(/invalid file mode/);
  });

  it('formats every mode so that it parses back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0o7777 }),
        (mode) => parseMode(formatMode(mode)) === mode,
      ),
    );
  });
});

describe('sameTargetState', () => {
  const file: TargetState = { type: 'file', digest: 'sha256:a', mode: '0644' };
  it.each([
    [file, file, true],
    [file, { ...file, mode: '0600' }, false],
    [file, { ...file, digest: 'sha256:b' }, false],
    [{ type: 'symlink', link_target: 'a' }, { type: 'symlink', link_target: 'a' }, true],
    [{ type: 'symlink', link_target: 'a' }, { type: 'symlink', link_target: 'b' }, false],
    [{ type: 'missing' }, { type: 'missing' }, true],
    [{ type: 'directory', mode: '0755' }, file, false],
  ] as Array<[TargetState, TargetState, boolean]>)('compares %j and %j as %s', (a, b, same) => {
    expect(sameTargetState(a, b)).toBe(same);
  });
});

describe('atomicWriteFile', () => {
  it('writes bytes with exactly the mode asked, whatever the umask', async () => {
    const old = process.umask(0o077);
    try {
      await atomicWriteFile(join(dir, 'f'), 'hello', 0o644);
    } finally {
      process.umask(old);
    }
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('hello');
    expect((await stat(join(dir, 'f'))).mode & 0o7777).toBe(0o644);
    expect(await readdir(dir)).toEqual(['f']);
  });

  it('replaces a symlink itself instead of writing through it', async () => {
    await writeFile(join(dir, 'real'), 'untouched');
    await symlink('real', join(dir, 'link'));
    await atomicWriteFile(join(dir, 'link'), 'new', 0o600);
    expect(await readFile(join(dir, 'real'), 'utf8')).toBe('untouched');
    expect((await lstat(join(dir, 'link'))).isFile()).toBe(true);
  });

  it('leaves no temporary file when the rename fails', async () => {
    await mkdir(join(dir, 'occupied'));
    await writeFile(join(dir, 'occupied', 'x'), 'x');
    await expect(atomicWriteFile(join(dir, 'occupied'), 'new', 0o644)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['occupied']);
  });
});

describe('atomicSymlink', () => {
  it('creates a link and replaces an old one, leaving no temporary link', () => {
    atomicSymlink('/first', join(dir, 'l'));
    atomicSymlink('/second', join(dir, 'l'));
    return Promise.all([readlink(join(dir, 'l')), readdir(dir)]).then(([target, names]) => {
      expect(target).toBe('/second');
      expect(names).toEqual(['l']);
    });
  });

  it('fails over a directory and leaves no temporary link', async () => {
    await mkdir(join(dir, 'd'));
    await writeFile(join(dir, 'd', 'x'), 'x');
    expect(() => atomicSymlink('/t', join(dir, 'd'))).toThrow();
    expect(await readdir(dir)).toEqual(['d']);
  });
});
