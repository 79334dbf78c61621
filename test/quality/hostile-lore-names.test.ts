import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serveRegistry } from '../cli/lore-helpers.js';
import { EXIT } from '../../cli/exit-codes.js';
import { run } from './failure-harness.js';
import { editManifest, expectRejected, install, withHostileLore } from './hostile-lore-helpers.js';

/*
 * Issue #8, item 1, for lore: hostile package names (on the command line and in a manifest)
 * and bad arguments. Each is rejected before anything runs or is fetched: exit 2, one
 * `lore: error:` line naming it, no stack trace, the disk byte-identical to before.
 */

/** Characters that steer a terminal: C0, DEL, C1, line separators, bidi overrides and isolates. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('lore with hostile package names', () => {
  it.each([
    ['../x', '../x'],
    ['a/b', 'a/b'],
    ['an empty string', ''],
    ['5000 × "a"', 'a'.repeat(5000)],
    ['a C0 control', 'to\u0001ol'],
    ['terminal escapes and a bidi override', '\u001b[31mred\u009b2J\u202eevil'],
  ])('rejects the name %s on the command line with exit 2, before reading the registry', (_label, name) =>
    withHostileLore(async (lore) => {
      const shown: RegExp = name.length > 100 ? /^lore: error: package name "a{40}…" is longer than 64 characters$/ : /^lore: error: package name ".*" must match/;
      // A missing registry: reading it would fail differently, so the name is checked first.
      const args = ['install', '--registry', path.join(lore.subject.dir, 'no-registry'), '--prefix', lore.subject.target, '--', name];
      const result = await expectRejected(lore, () => run(lore.subject, args), EXIT.usage, shown);
      for (const line of result.stderr.split('\n')) expect(line).not.toMatch(CONTROLS);
    }),
  );

  it('rejects any other string as a package name, escaped in one line (property)', () =>
    withHostileLore(async (lore) => {
      const invalid = fc.string({ unit: fc.oneof(fc.constantFrom('a', '-', '/', '.', '\u007f', '\u009b', '\u202e'), fc.string({ unit: 'binary', maxLength: 1 })), minLength: 1, maxLength: 80 }).filter((name) => !name.includes('\0') && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name));
      await fc.assert(
        fc.asyncProperty(invalid, async (name) => {
          const args = ['install', '--registry', path.join(lore.subject.dir, 'no-registry'), '--prefix', lore.subject.target, '--', name];
          const result = await expectRejected(lore, () => run(lore.subject, args), EXIT.usage, /^lore: error: package name ".*" (must match|is longer than 64)/);
          expect(result.stderr.split('\n')[0]).not.toMatch(CONTROLS);
        }),
        { numRuns: 4 },
      );
    }),
  );

  it.each([['../x'], ['ünïcode']])('rejects the dependency %j in a manifest with file:line, fetching nothing for it', (name) =>
    withHostileLore(async (lore) => {
      await editManifest(lore, 'tool', (text) => `${text}depends: [${JSON.stringify(name)}]\n`);
      const server = await serveRegistry(lore.registry);
      try {
        await expectRejected(lore, () => install(lore, ['tool'], [], server.url), EXIT.usage, /package\.yaml:\d+: "depends" entry ".*" must match/);
        expect(server.requests.map((request) => request.path)).toEqual(['/index.yaml', '/packages/tool/package.yaml']);
      } finally {
        await server.close();
      }
    }),
  );

  it.each([
    [['info', '../x'], /^lore: error: no package "\.\.\/x" in registry /],
    [['remove', 'a/b'], /^lore: error: package "a\/b" is not installed in /],
  ])('rejects lore %j with exit 2', (args, message) =>
    withHostileLore(async (lore) => {
      await expectRejected(lore, () => run(lore.subject, [...args, '--registry', lore.registry, '--prefix', lore.subject.target]), EXIT.usage, message);
    }),
  );
});

describe('lore with bad arguments', () => {
  it.each([
    [['install', 'tool', '--frobnicate'], /unknown option '--frobnicate'/],
    [['install', 'tool', '--jobs', '0'], /--jobs 0: expected a positive integer/],
    [['install', 'tool', '--jobs', 'x'], /--jobs x: expected a positive integer/],
    [['install', 'tool', '--set', 'novalue'], /--set novalue: expected NAME=VALUE/],
    [['install'], /missing required argument/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('rejects lore %j with exit 2', (args, message) =>
    withHostileLore(async (lore) => {
      await expectRejected(lore, () => run(lore.subject, [...args, '--registry', lore.registry, '--prefix', lore.subject.target]), EXIT.usage, message);
    }),
  );

  it.each([
    ['ftp://127.0.0.1/registry', /registry "ftp:\/\/127\.0\.0\.1\/registry" is neither a directory nor an http\(s\) URL/],
    ['', /^lore: error: --registry is empty$/],
  ])('rejects --registry %j with exit 2', (registry, message) =>
    withHostileLore(async (lore) => {
      await expectRejected(lore, () => run(lore.subject, ['install', 'tool', '--registry', registry, '--prefix', lore.subject.target]), EXIT.usage, message);
    }),
  );

  it.each([
    ['an empty --prefix', () => ''],
    ['a --prefix that is a file', (dir: string) => path.join(dir, 'outside', 'sentinel')],
    ['a --prefix under a file', (dir: string) => path.join(dir, 'outside', 'sentinel', 'sub')],
  ])('rejects %s with exit 2', (_label, prefixOf) =>
    withHostileLore(async (lore) => {
      const args = ['install', 'tool', '--registry', lore.registry, '--prefix', prefixOf(lore.subject.dir)];
      await expectRejected(lore, () => run(lore.subject, args), EXIT.usage, /prefix/);
    }),
  );
});
