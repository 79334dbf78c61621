import { lstatSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveProvider, extractAction } from '../../../src/actions/archive/index.js';
import { rejection } from '../../helpers/thrown.js';
import { makeContext, snapshotTree, useWorkspace } from '../net/fixture.js';
import { tarBytes, tarGz, tarXz, zipBytes, type TarSpec, type ZipSpec } from './build.js';

const ws = useWorkspace('writ-archive-');

/** Writes `bytes` as an archive file next to (not inside) the tree under test. */
async function archiveFile(name: string, bytes: Buffer): Promise<string> {
  const path = join(ws.base, name);
  await writeFile(path, bytes);
  return path;
}

const PACKAGE_TAR: readonly TarSpec[] = [
  { path: 'pkg-1.0/', type: 'Directory', mode: 0o755 },
  { path: 'pkg-1.0/bin/', type: 'Directory', mode: 0o755 },
  { path: 'pkg-1.0/bin/tool', mode: 0o4755, content: '#!/bin/sh\necho tool\n' },
  { path: 'pkg-1.0/bin/t', type: 'SymbolicLink', linkpath: 'tool' },
  { path: 'pkg-1.0/bin/tool-again', type: 'Link', linkpath: 'pkg-1.0/bin/tool' },
  { path: 'pkg-1.0/share/doc/README', content: 'read me\n' },
  { path: 'pkg-1.0/ro/', type: 'Directory', mode: 0o555 },
  { path: 'pkg-1.0/ro/fixed', mode: 0o444, content: 'fixed\n' },
];

const PACKAGE_ZIP: readonly ZipSpec[] = [
  { name: 'pkg-1.0/', mode: 0o40755 },
  { name: 'pkg-1.0/bin/', mode: 0o40755 },
  { name: 'pkg-1.0/bin/tool', mode: 0o104755, content: '#!/bin/sh\necho tool\n' },
  { name: 'pkg-1.0/bin/t', mode: 0o120777, content: 'tool' },
  { name: 'pkg-1.0/bin/tool-again', mode: 0o100755, content: '#!/bin/sh\necho tool\n', method: 'store' },
  { name: 'pkg-1.0/share/doc/README', content: 'read me\n' },
  { name: 'pkg-1.0/ro/', mode: 0o40555 },
  { name: 'pkg-1.0/ro/fixed', mode: 0o100444, content: 'fixed\n' },
];

const FORMATS = [
  ['pkg.tar.gz', () => tarGz(PACKAGE_TAR)],
  ['pkg.tgz', () => tarGz(PACKAGE_TAR)],
  ['pkg.tar.xz', () => tarXz(PACKAGE_TAR)],
  ['pkg.tar', () => tarBytes(PACKAGE_TAR)],
  ['pkg.zip', () => zipBytes(PACKAGE_ZIP)],
  ['download-without-extension', () => tarXz(PACKAGE_TAR)],
] as const;

describe('archive.extract', () => {
  it('is provided by the archive provider with its slots declared', () => {
    expect(archiveProvider.actions.map((action) => action.name)).toEqual(['archive.extract']);
    expect(extractAction.spec).toEqual({ required: ['archive', 'path'], optional: ['strip'], writes: ['path'] });
  });

  it.each(FORMATS)('extracts %s with modes and links, and undo restores the identical tree', async (name, build) => {
    const archive = await archiveFile(name, build());
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const destination = join(ws.tree, 'opt', 'pkg');
    const output = await extractAction.do(ctx, { archive, path: destination, strip: 1 });
    expect(output.result).toEqual({
      path: destination,
      entries: ['bin', 'bin/tool', 'bin/t', 'bin/tool-again', 'share/doc/README', 'ro', 'ro/fixed'],
    });
    const tree = await snapshotTree(destination);
    expect(tree['bin/tool']).toMatchObject({ type: 'file', mode: '0755', text: '#!/bin/sh\necho tool\n' });
    expect(tree['bin/t']).toEqual({ type: 'symlink', link_target: 'tool' });
    expect(tree['bin/tool-again']).toMatchObject({ type: 'file', text: '#!/bin/sh\necho tool\n' });
    expect(tree['share/doc/README']).toMatchObject({ type: 'file', mode: '0644', text: 'read me\n' });
    expect(tree['share']).toEqual({ type: 'directory', mode: '0755' });
    expect(tree['ro']).toEqual({ type: 'directory', mode: '0555' });
    expect(tree['ro/fixed']).toMatchObject({ mode: '0444' });
    expect(await readdir(ws.tree)).toEqual(['opt']);
    expect((await readdir(ws.base)).sort()).toEqual([name, 'tree']);
    await extractAction.undo(ctx, output.undo ?? null);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('makes hard links from tar entries share one inode', async () => {
    const archive = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const destination = join(ws.tree, 'pkg');
    await extractAction.do(makeContext({ backupRoot: ws.backups }), { archive, path: destination, strip: 1 });
    const [first, second] = await Promise.all([lstat(join(destination, 'bin/tool')), lstat(join(destination, 'bin/tool-again'))]);
    expect(second.ino).toBe(first.ino);
  });

  it('displaces what is in the way into the backup store and undo puts it back', async () => {
    const destination = join(ws.tree, 'pkg');
    await mkdir(join(destination, 'bin'), { recursive: true });
    await writeFile(join(destination, 'bin', 'tool'), 'my own tool\n');
    await chmod(join(destination, 'bin', 'tool'), 0o700);
    await writeFile(join(destination, 'share'), 'a file where the archive has a directory\n');
    await writeFile(join(destination, 'notes.txt'), 'unrelated\n');
    await chmod(destination, 0o750);
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const archive = await archiveFile('pkg.zip', zipBytes(PACKAGE_ZIP));
    const output = await extractAction.do(ctx, { archive, path: destination, strip: 1 });
    expect(await readFile(join(destination, 'bin', 'tool'), 'utf8')).toBe('#!/bin/sh\necho tool\n');
    expect(await readFile(join(destination, 'notes.txt'), 'utf8')).toBe('unrelated\n');
    expect((await lstat(destination)).mode & 0o777).toBe(0o750);
    expect(await readdir(ws.backups)).toHaveLength(2);
    await extractAction.undo(ctx, output.undo ?? null);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('replaces a symlink in the destination instead of writing through it', async () => {
    const outside = join(ws.base, 'outside');
    await mkdir(outside);
    const destination = join(ws.tree, 'pkg');
    await mkdir(destination);
    await symlink(outside, join(destination, 'bin'));
    const archive = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const before = await snapshotTree(ws.base);
    const ctx = makeContext({ backupRoot: ws.backups });
    const output = await extractAction.do(ctx, { archive, path: destination, strip: 1 });
    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(join(destination, 'bin'))).isDirectory()).toBe(true);
    await extractAction.undo(ctx, output.undo ?? null);
    expect(await readlink(join(destination, 'bin'))).toBe(outside);
    expect(await snapshotTree(ws.base, { ignore: (path) => path === 'backups' })).toEqual(before);
  });

  it('registers its undo state before the destination changes', async () => {
    const destination = join(ws.tree, 'pkg');
    const seen: boolean[] = [];
    const ctx = makeContext({ backupRoot: ws.backups, onRegister: () => seen.push(lstatSync(destination, { throwIfNoEntry: false }) === undefined) });
    const archive = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const output = await extractAction.do(ctx, { archive, path: destination });
    expect(seen).toEqual([true]);
    expect(ctx.registered).toEqual([output.undo]);
  });

  it('skips members with no more components than strip removes', async () => {
    const archive = await archiveFile('a.tar.gz', tarGz([{ path: 'top-level-file', content: 'x' }, { path: 'dir/kept', content: 'y' }]));
    const destination = join(ws.tree, 'd');
    const output = await extractAction.do(makeContext({ backupRoot: ws.backups }), { archive, path: destination, strip: 1 });
    expect(output.result).toEqual({ path: destination, entries: ['kept'] });
    expect(await readdir(destination)).toEqual(['kept']);
  });
});

describe('archive.extract safety', () => {
  const file = (path: string): TarSpec => ({ path, content: 'pwned\n' });
  it.each<[string, readonly TarSpec[], string]>([
    ['a parent-directory name', [file('ok'), file('../../etc/passwd')], 'entry "../../etc/passwd" escapes the destination'],
    ['a name that climbs out midway', [file('a/../../x')], 'entry "a/../../x" escapes the destination'],
    ['an absolute name', [file('/etc/passwd')], 'entry "/etc/passwd" is an absolute path and escapes the destination'],
    ['a symlink to an absolute path', [{ path: 'evil', type: 'SymbolicLink', linkpath: '/etc' }], 'is a symlink to the absolute path "/etc"'],
    ['a symlink climbing out', [{ path: 'a/evil', type: 'SymbolicLink', linkpath: '../../outside' }], 'points outside the destination'],
    [
      'a member written through an earlier symlink',
      [{ path: 'sub/', type: 'Directory' }, { path: 'link', type: 'SymbolicLink', linkpath: 'sub' }, file('link/file')],
      'entry "link/file" would be written through the symlink "link"',
    ],
    [
      'a symlink that replaces a directory holding members',
      [file('dir/a'), { path: 'dir', type: 'SymbolicLink', linkpath: '.' }],
      'entry "dir" is a symlink where earlier entries need a directory',
    ],
    ['a hard link to a path outside', [{ path: 'h', type: 'Link', linkpath: '../outside/secret' }], 'links to a target that escapes the destination'],
    ['a hard link to an absolute path', [{ path: 'h', type: 'Link', linkpath: '/etc/shadow' }], 'links to a target that is an absolute path'],
    ['a hard link to no earlier file', [{ path: 'h', type: 'Link', linkpath: 'later' }, file('later')], 'not an earlier file in the archive'],
    ['a FIFO', [{ path: 'fifo', type: 'FIFO' }], 'entry "fifo" is a FIFO'],
    ['a character device', [{ path: 'null', type: 'CharacterDevice' }], 'entry "null" is a CharacterDevice'],
  ])('rejects a tar with %s and leaves nothing anywhere', async (_label, entries, message) => {
    const archive = await archiveFile('evil.tar.gz', tarGz([file('harmless-first'), ...entries]));
    const before = await snapshotTree(ws.base);
    const ctx = makeContext({ backupRoot: ws.backups });
    const error = await rejection(extractAction.do(ctx, { archive, path: join(ws.tree, 'dest') }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain(`archive ${archive}: `);
    expect(error.message).toContain(message);
    expect(await snapshotTree(ws.base)).toEqual(before);
    expect(ctx.registered).toEqual([]);
  });

  it.each<[string, readonly ZipSpec[], string]>([
    ['a parent-directory name', [{ name: '../evil' }], 'entry "../evil" escapes the destination'],
    ['an absolute name', [{ name: '/tmp/evil' }], 'entry "/tmp/evil" is an absolute path'],
    ['a backslash name that climbs out (yauzl reads \\ as /)', [{ name: '..\\evil' }], 'entry "../evil" escapes'],
    ['a symlink climbing out', [{ name: 'l', mode: 0o120777, content: '../../x' }], 'points outside the destination'],
    ['a symlink then a member through it', [{ name: 'l', mode: 0o120777, content: '.' }, { name: 'l/f' }], 'written through the symlink "l"'],
    ['a FIFO', [{ name: 'p', mode: 0o010644 }], 'entry "p" is a FIFO'],
  ])('rejects a zip with %s and leaves nothing anywhere', async (_label, entries, message) => {
    const archive = await archiveFile('evil.zip', zipBytes([{ name: 'harmless-first' }, ...entries]));
    const before = await snapshotTree(ws.base);
    const ctx = makeContext({ backupRoot: ws.backups });
    const error = await rejection(extractAction.do(ctx, { archive, path: join(ws.tree, 'dest') }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain(message);
    expect(await snapshotTree(ws.base)).toEqual(before);
  });

  it('rejects a damaged archive with nothing left behind', async () => {
    const whole = tarGz([{ path: 'big', content: Buffer.alloc(200_000, 1) }, { path: 'after', content: 'x' }]);
    const archive = await archiveFile('cut.tar.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const before = await snapshotTree(ws.base);
    const error = await rejection(extractAction.do(makeContext({ backupRoot: ws.backups }), { archive, path: join(ws.tree, 'd') }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain(`archive ${archive} cannot be read`);
    expect(await snapshotTree(ws.base)).toEqual(before);
  });

  it('refuses a destination that is a file', async () => {
    const destination = join(ws.tree, 'file');
    await writeFile(destination, 'x');
    const archive = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const error = await rejection(extractAction.do(makeContext({ backupRoot: ws.backups }), { archive, path: destination }));
    expect(error.code).toBe('conflict');
  });

  it('fails with not-found when the archive is missing', async () => {
    const archive = join(ws.base, 'nope.tar.gz');
    const error = await rejection(extractAction.do(makeContext({ backupRoot: ws.backups }), { archive, path: join(ws.tree, 'd') }));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`archive ${archive}: no such file`);
  });
});

describe('archive.extract probe', () => {
  it('predicts create, replace and conflict without writing', async () => {
    const ctx = makeContext({ backupRoot: ws.backups });
    const good = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const evil = await archiveFile('evil.tar.gz', tarGz([{ path: '../x', content: 'x' }]));
    const destination = join(ws.tree, 'pkg');
    const before = await snapshotTree(ws.base);
    expect(await extractAction.probe?.(ctx, { archive: good, path: destination, strip: 1 })).toEqual({ kind: 'create', target: destination });
    expect(await extractAction.probe?.(ctx, { archive: evil, path: destination })).toMatchObject({
      kind: 'conflict',
      reason: expect.stringContaining('escapes the destination'),
    });
    expect(await snapshotTree(ws.base)).toEqual(before);
    await mkdir(join(destination, 'bin'), { recursive: true });
    await writeFile(join(destination, 'bin', 'tool'), 'mine');
    expect(await extractAction.probe?.(ctx, { archive: good, path: destination, strip: 1 })).toMatchObject({
      kind: 'replace',
      current: { type: 'directory' },
      detail: '1 existing path(s) would be moved to the backup store',
    });
  });
});

describe('archive.extract failures midway', () => {
  it('is cancelled by an aborted signal and leaves nothing', async () => {
    const archive = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const before = await snapshotTree(ws.base);
    const controller = new AbortController();
    controller.abort();
    const ctx = makeContext({ backupRoot: ws.backups, signal: controller.signal });
    const error = await rejection(extractAction.do(ctx, { archive, path: join(ws.tree, 'd') }));
    expect(error.code).toBe('cancelled');
    expect(await snapshotTree(ws.base)).toEqual(before);
  });

  it.each(['pkg.tar.gz', 'pkg.zip'])('is cancelled after validation (%s), undoing what it began', async (name) => {
    const archive = await archiveFile(name, name.endsWith('.zip') ? zipBytes(PACKAGE_ZIP) : tarGz(PACKAGE_TAR));
    await mkdir(join(ws.tree, 'pkg', 'bin'), { recursive: true });
    await writeFile(join(ws.tree, 'pkg', 'bin', 'tool'), 'mine\n');
    const before = await snapshotTree(ws.tree);
    const controller = new AbortController();
    const ctx = makeContext({ backupRoot: ws.backups, signal: controller.signal, onRegister: () => controller.abort() });
    const error = await rejection(extractAction.do(ctx, { archive, path: join(ws.tree, 'pkg', 'deeper'), strip: 1 }));
    expect(error.code).toBe('cancelled');
    expect(ctx.registered).toHaveLength(1);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('undoes its own partial work when a displacement fails', async () => {
    const destination = join(ws.tree, 'pkg');
    await mkdir(join(destination, 'bin'), { recursive: true });
    await writeFile(join(destination, 'bin', 'tool'), 'mine\n');
    await writeFile(join(destination, 'bin', 't'), 'also mine\n');
    const archive = await archiveFile('pkg.tar.gz', tarGz(PACKAGE_TAR));
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    let saves = 0;
    const save = ctx.backups.save.bind(ctx.backups);
    const flaky = Object.assign(Object.create(ctx.backups) as typeof ctx.backups, {
      save: (...args: Parameters<typeof save>) => (++saves === 2 ? Promise.reject(new Error('disk full')) : save(...args)),
    });
    await expect(extractAction.do({ ...ctx, backups: flaky }, { archive, path: destination, strip: 1 })).rejects.toThrow('disk full');
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('extracts through a destination that is the user\'s own link to a directory', async () => {
    const real = join(ws.tree, 'real');
    await mkdir(real);
    await symlink(real, join(ws.tree, 'alias'));
    const archive = await archiveFile('pkg.zip', zipBytes(PACKAGE_ZIP));
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const output = await extractAction.do(ctx, { archive, path: join(ws.tree, 'alias'), strip: 1 });
    expect(await readdir(real)).toEqual(['bin', 'ro', 'share']);
    await extractAction.undo(ctx, output.undo ?? null);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });
});
