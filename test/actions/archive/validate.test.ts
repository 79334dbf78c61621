import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEntry } from '../../../src/actions/archive/entry.js';
import { planEntries } from '../../../src/actions/archive/validate.js';
import { isWritLoreError } from '../../../src/graph/index.js';

const file = (name: string): RawEntry => ({ name, type: 'file', typeLabel: 'File', mode: 0o644 });
const dir = (name: string): RawEntry => ({ name, type: 'directory', typeLabel: 'Directory', mode: 0o755 });
const link = (name: string, target: string): RawEntry => ({ name, type: 'symlink', typeLabel: 'SymbolicLink', mode: 0o777, linkTarget: target });

describe('planEntries', () => {
  it('normalises names, strips components and masks modes', () => {
    const planned = planEntries(
      [dir('./pkg/'), { ...file('pkg//bin/./tool'), mode: 0o6755 }, link('pkg/bin/t', 'tool'), file('pkg')],
      { label: 'a.tgz', strip: 1 },
    );
    expect(planned).toEqual([
      { kind: 'file', path: 'bin/tool', mode: 0o755, index: 1 },
      { kind: 'symlink', path: 'bin/t', target: 'tool', index: 2 },
    ]);
  });

  it('lets a repeated file replace the earlier one and merges repeated directories', () => {
    const planned = planEntries([dir('d/'), file('d/f'), dir('d'), file('d/f')], { label: 'a.tar' });
    expect(planned.map((entry) => [entry.path, entry.index])).toEqual([
      ['d', 0],
      ['d/f', 3],
    ]);
  });

  it.each([
    ['a file then a directory at one path', [file('x'), dir('x')], 'appears twice, as a file and as a directory'],
    ['a symlink repeated', [link('l', 'a'), link('l', 'b')], 'appears twice, as a symlink and as a symlink'],
    ['a member under a file', [file('f'), file('f/g')], 'would be written through the file "f"'],
    ['an empty symlink target', [link('l', '')], 'is a symlink without a target'],
    ['a NUL in a name', [file('a\0b')], 'contains a NUL byte'],
    ['a drive-letter name', [file('C:/Windows/x')], 'is an absolute path'],
    ['a symlink chain leaving only when followed', [link('a/b/c', '../..'), link('z', 'a/b/c/../..')], 'entry "z" is a symlink to "a/b/c/../..", which points outside'],
    ['the same chain with the inner link last', [link('z', 'a/b/c/../../x'), link('a/b/c', '../..')], 'entry "z" is a symlink to "a/b/c/../../x", which points outside'],
  ])('rejects %s', (_label, entries, message) => {
    expect(() => planEntries(entries, { label: 'a.tar' })).toThrow(message);
  });

  it('accepts links through other links that stay inside, and a harmless loop', () => {
    const entries = [link('lib', 'lib64'), dir('lib64/'), link('lib64/up', '..'), link('bin/t', '../lib/up/lib64'), link('x', 'y'), link('y', 'x')];
    expect(planEntries(entries, { label: 'a.tar' }).map((entry) => entry.path)).toEqual(['lib', 'lib64', 'lib64/up', 'bin/t', 'x', 'y']);
  });

  it('keeps every planned path and link inside the destination, whatever the names (property)', () => {
    const segment = fc.constantFrom('a', 'b', '..', '.', '', 'c d');
    const name = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
    const target = fc.oneof(name, name.map((text) => `/${text}`));
    const entry = fc.oneof(
      name.map(file),
      name.map(dir),
      fc.tuple(name, target).map(([path, to]) => link(path, to)),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.nat(2), (entries, strip) => {
        let planned;
        try {
          planned = planEntries(entries, { label: 'p.tar', strip });
        } catch (error) {
          expect(isWritLoreError(error, 'invalid-input')).toBe(true);
          return;
        }
        const symlinks = new Set(planned.filter((e) => e.kind === 'symlink').map((e) => e.path));
        for (const entry of planned) {
          expect(inside(posix.join('/dest', entry.path))).toBe(true);
          if (entry.kind === 'symlink') expect(inside(posix.join('/dest', posix.dirname(entry.path), entry.target))).toBe(true);
          const parts = entry.path.split('/');
          for (let depth = 1; depth < parts.length; depth += 1) expect(symlinks.has(parts.slice(0, depth).join('/'))).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});

function inside(path: string): boolean {
  const normal = posix.normalize(path);
  return normal === '/dest' || normal.startsWith('/dest/');
}
