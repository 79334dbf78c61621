import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'vitest';
import { tarBytes, tarGz, tarXz, zipBytes, type TarSpec, type ZipSpec } from '../actions/archive/build.js';
import { serveRegistry } from '../cli/lore-helpers.js';
import type { Route } from '../helpers/http-server.js';
import { EXIT } from '../../cli/exit-codes.js';
import { editManifest, expectRejected, expectRolledBack, install, useArchive, withHostileLore, type HostileLore } from './hostile-lore-helpers.js';

/*
 * Issue #8, item 1, for lore: hostile archives and broken downloads, served by a real HTTP
 * server on 127.0.0.1. The package dir is <dir>/prefix/lib/lore/tool/1.0.0 and archives are
 * extracted there with `strip: 1`, so `UP` (six `..`, one for the stripped top directory)
 * reaches <dir>, where the sentinel lives. Each install fails at run time and is rolled back:
 * exit 1, the prefix as before, the sentinel never touched.
 */

const UP = '../../../../../..';
const TOOL: TarSpec = { path: 'tool-1.0.0/bin/tool', mode: 0o755, content: '#!/bin/sh\necho tool\n' };
const ZIP_TOOL: ZipSpec = { name: 'tool-1.0.0/bin/tool', mode: 0o100755, content: '#!/bin/sh\necho tool\n' };

/** Serves the registry and installs `tool` from it over HTTP. */
async function installOverHttp(lore: HostileLore, overrides: Readonly<Record<string, Omit<Route, 'body'>>> = {}) {
  const server = await serveRegistry(lore.registry, overrides);
  try {
    return await install(lore, ['tool'], [], server.url);
  } finally {
    await server.close();
  }
}

/** A zip whose one entry declares `size` uncompressed bytes but holds a few. */
function zipDeclaring(size: number): Buffer {
  const bytes = zipBytes([{ name: 'tool-1.0.0/big', content: 'small', method: 'store' }]);
  bytes.writeUInt32LE(size, 22);
  const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bytes.writeUInt32LE(size, central + 24);
  return bytes;
}

const HOSTILE: ReadonlyArray<readonly [string, string, (dir: string) => Buffer, RegExp]> = [
  ['a ../ entry', 'tool.tar.gz', () => tarGz([TOOL, { path: `tool-1.0.0/${UP}/outside/sentinel`, content: 'pwned\n' }]), /escapes the destination/],
  ['an absolute entry', 'tool.tar', (dir) => tarBytes([TOOL, { path: path.join(dir, 'outside', 'evil'), content: 'pwned\n' }]), /is an absolute path/],
  [
    'a symlink out, then a file through it',
    'tool.tar.gz',
    () => tarGz([TOOL, { path: 'tool-1.0.0/esc', type: 'SymbolicLink', linkpath: `${UP}/outside` }, { path: 'tool-1.0.0/esc/sentinel', content: 'pwned\n' }]),
    /entry "tool-1.0.0\/esc" is a symlink to .* which points outside the destination/,
  ],
  [
    'an absolute symlink, then a file through it',
    'tool.tar.xz',
    (dir) => tarXz([TOOL, { path: 'tool-1.0.0/esc', type: 'SymbolicLink', linkpath: path.join(dir, 'outside') }, { path: 'tool-1.0.0/esc/evil', content: 'pwned\n' }]),
    /is a symlink to the absolute path/,
  ],
  ['a hard link to an absolute path', 'tool.tar', (dir) => tarBytes([TOOL, { path: 'tool-1.0.0/hl', type: 'Link', linkpath: path.join(dir, 'outside', 'sentinel') }]), /entry "tool-1.0.0\/hl" links to a target that is an absolute path/],
  ['a hard link up and out', 'tool.tar.gz', () => tarGz([TOOL, { path: 'tool-1.0.0/hl', type: 'Link', linkpath: `tool-1.0.0/${UP}/outside/sentinel` }]), /links to a target that escapes the destination/],
  [
    'a symlink chain that leaves only when followed',
    'tool.tar.gz',
    () => tarGz([TOOL, { path: 'tool-1.0.0/a/b/c/d/e/f', type: 'SymbolicLink', linkpath: '../../../../..' }, { path: 'tool-1.0.0/z', type: 'SymbolicLink', linkpath: 'a/b/c/d/e/f/../../../../../outside' }]),
    /entry "tool-1.0.0\/z" is a symlink to .* which points outside the destination/,
  ],
  ['a zip slip', 'tool.zip', () => zipBytes([ZIP_TOOL, { name: `tool-1.0.0/${UP}/outside/sentinel`, content: 'pwned\n' }]), /escapes the destination/],
  [
    'a zip symlink out, then a file through it',
    'tool.zip',
    () => zipBytes([ZIP_TOOL, { name: 'tool-1.0.0/esc', mode: 0o120777, content: `${UP}/outside` }, { name: 'tool-1.0.0/esc/sentinel', content: 'pwned\n' }]),
    /points outside the destination/,
  ],
  ['a zip name with backslashes', 'tool.zip', () => zipBytes([ZIP_TOOL, { name: 'tool-1.0.0\\..\\..\\evil', content: 'pwned\n' }]), /entry "tool-1\.0\.0\/\.\.\/\.\.\/evil" escapes the destination/],
  ['a device node', 'tool.tar', () => tarBytes([TOOL, { path: 'tool-1.0.0/null', type: 'CharacterDevice' }]), /is a CharacterDevice; only files, directories and links are extracted/],
  ['a truncated tar.gz', 'tool.tar.gz', () => tarGz([TOOL, { path: 'tool-1.0.0/data', content: 'x'.repeat(4096) }]).subarray(0, 60), /tool\.tar\.gz cannot be read: zlib: unexpected end of file/],
  ['a corrupt zip', 'tool.zip', () => Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 0x5a)]), /tool\.zip cannot be read: .*not a zip file/],
  ['a zip entry declaring 4 GB', 'tool.zip', () => zipDeclaring(0xfffffff0), /tool\.zip cannot be read: .*size mismatch/],
];

describe('lore install of a hostile or broken archive', () => {
  it.each(HOSTILE)('rolls back %s (%s) without touching anything outside the prefix', (_label, file, build, message) =>
    withHostileLore(async (lore) => {
      await useArchive(lore, file, build(lore.subject.dir));
      // Were the chain followed, this lexically confined write would land on the sentinel.
      await editManifest(lore, 'tool', (text) => text.replace('  verify:', '  provision:\n    steps:\n      - write: { to: z/sentinel, content: "pwned\\n" }\n  verify:'));
      await expectRolledBack(lore, () => installOverHttp(lore), message);
    }),
  );
});

describe('lore install with a broken download', () => {
  it('rolls back when the archive is missing (HTTP 404)', () =>
    withHostileLore(async (lore) => {
      await rm(path.join(lore.registry, 'files', 'tool-1.0.0.tar.gz'));
      await expectRolledBack(lore, () => installOverHttp(lore), /download http:\/\/127\.0\.0\.1:\d+\/files\/tool-1\.0\.0\.tar\.gz failed: HTTP 404/);
    }),
  );

  it('rolls back when the server cuts the body short', () =>
    withHostileLore(async (lore) => {
      await expectRolledBack(lore, () => installOverHttp(lore, { '/files/tool-1.0.0.tar.gz': { behaviour: 'close-mid-body' } }), /tool-1\.0\.0\.tar\.gz failed: terminated/);
    }),
  );

  it('refuses a remote registry whose source points at a local file, before anything runs (exit 2)', () =>
    withHostileLore(async (lore) => {
      await editManifest(lore, 'tool', (text) => text.replace('url: files/tool-1.0.0.tar.gz', `url: file://${lore.sentinel}`));
      await expectRejected(lore, () => installOverHttp(lore), EXIT.usage, /source URL "file:\/\/.*\/outside\/sentinel" of remote registry http:\/\/127\.0\.0\.1:\d+\/ is not http\(s\)/);
    }),
  );

  it('rolls back on a wrong sha256 (the download phase fails, exit 1)', () =>
    withHostileLore(async (lore) => {
      await editManifest(lore, 'tool', (text) => text.replace(/sha256: [0-9a-f]{64}/, `sha256: ${'a'.repeat(64)}`));
      await expectRolledBack(lore, () => installOverHttp(lore), /sha256 mismatch \(expected sha256:a{64}, got sha256:[0-9a-f]{64}\)/);
    }),
  );
});
