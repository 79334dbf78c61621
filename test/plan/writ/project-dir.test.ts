import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchProjectDir, parseProjectDir } from '../../../src/plan/index.js';
import { LINUX } from './repo.js';

describe('parseProjectDir', () => {
  it.each([
    ['all', 'all', []],
    ['all.Unix', 'all', ['Unix']],
    ['kim.Linux', 'kim', ['Linux']],
    ['kim.Linux.Debian.arm64', 'kim', ['Linux', 'Debian', 'arm64']],
  ])('splits %s into project %s and its suffixes', (name, project, suffixes) => {
    expect(parseProjectDir(name)).toEqual({ name, project, suffixes });
  });

  it.each(['.git', '.hidden.Linux', 'kim..Linux', 'kim.', ''])('refuses %j as a project directory', (name) => {
    expect(parseProjectDir(name)).toBeUndefined();
  });
});

describe('matchProjectDir', () => {
  it.each([
    ['all', { kind: 'applies', specificity: 0 }],
    ['all.Unix', { kind: 'applies', specificity: 1 }],
    ['kim.Linux', { kind: 'applies', specificity: 1 }],
    ['kim.Linux.Debian', { kind: 'applies', specificity: 2 }],
    ['kim.Linux.Debian.amd64', { kind: 'applies', specificity: 3 }],
    ['kim.Debian.Linux', { kind: 'applies', specificity: 2 }],
    ['kim.Linux.Debian.arm64', { kind: 'mismatch', suffix: 'arm64' }],
    ['kim.Darwin', { kind: 'mismatch', suffix: 'Darwin' }],
    ['kim.linux', { kind: 'mismatch', suffix: 'linux' }],
    ['kim.Windows', { kind: 'mismatch', suffix: 'Windows' }],
  ])('on Debian amd64, %s → %j', (name, expected) => {
    const dir = parseProjectDir(name);
    expect(dir).toBeDefined();
    if (dir !== undefined) expect(matchProjectDir(dir, LINUX)).toEqual(expected);
  });

  it('applies a custom segment added with -s', () => {
    const dir = parseProjectDir('kim.nvidia');
    if (dir === undefined) throw new Error('unparsed');
    expect(matchProjectDir(dir, LINUX).kind).toBe('mismatch');
    expect(matchProjectDir(dir, { ...LINUX, GPU: 'nvidia' })).toEqual({ kind: 'applies', specificity: 1 });
  });

  it('gives every matching directory a specificity equal to its number of suffixes', () => {
    const values = Object.values(LINUX);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...values), { maxLength: 5 }), (suffixes) => {
        const dir = parseProjectDir(['p', ...suffixes].join('.'));
        expect(dir === undefined ? undefined : matchProjectDir(dir, LINUX)).toEqual({ kind: 'applies', specificity: suffixes.length });
      }),
    );
  });
});
