import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WritLoreError } from '../../../src/graph/index.js';
import { confinePath, confinementFor, isPathInside, packageDirectory } from '../../../src/plan/index.js';

const PREFIX = '/home/kim/.local';
const SITE = { file: 'packages/evil/package.yaml', line: 14 };
const confinement = confinementFor(PREFIX, { name: 'evil', version: '1.0.0', paths: ['lib/evil-plugins'] }, SITE);
const DIR = packageDirectory(PREFIX, 'evil', '1.0.0');

function rejection(value: string, use: 'read' | 'write'): WritLoreError {
  try {
    confinePath(value, use, confinement, { ...SITE, what: 'step "link" target' });
  } catch (error) {
    if (error instanceof WritLoreError) return error;
    throw error;
  }
  throw new Error(`"${value}" was accepted`);
}

describe('confinePath', () => {
  it.each([
    ['bin/tool', 'write', `${DIR}/bin/tool`],
    ['.', 'write', DIR],
    ['./a/../b', 'write', `${DIR}/b`],
    [`${PREFIX}/bin/tool`, 'write', `${PREFIX}/bin/tool`],
    [`${PREFIX}/share/tool/x`, 'write', `${PREFIX}/share/tool/x`],
    [`${PREFIX}/etc/tool.conf`, 'write', `${PREFIX}/etc/tool.conf`],
    [`${PREFIX}/lib/evil-plugins/p.so`, 'write', `${PREFIX}/lib/evil-plugins/p.so`],
    [`${PREFIX}/lib/lore/other/2.0.0/bin/x`, 'read', `${PREFIX}/lib/lore/other/2.0.0/bin/x`],
    [PREFIX, 'read', PREFIX],
  ] as const)('accepts %s for %s', (value, use, expected) => {
    expect(confinePath(value, use, confinement, { ...SITE, what: 'path' })).toBe(expected);
  });

  it.each([
    ['/etc/passwd', 'write'],
    ['/etc/passwd', 'read'],
    ['../../../../../../etc/passwd', 'write'],
    ['../../../../../.bashrc', 'read'],
    [`${PREFIX}/../.bashrc`, 'write'],
    [`${PREFIX}-evil/bin/x`, 'write'],
    ['/home/kim/.local2/x', 'read'],
  ] as const)('rejects %s (%s) as outside the prefix', (value, use) => {
    const error = rejection(value, use);
    expect(error.code).toBe('invalid-input');
    expect(error.located).toBe(`packages/evil/package.yaml:14: step "link" target "${value}" is outside the prefix ${PREFIX}`);
  });

  it.each([
    `${PREFIX}/lib/lore/other/2.0.0/bin/x`,
    `${PREFIX}/.profile`,
    `${PREFIX}/bin`,
    '..',
  ])('rejects the write %s inside the prefix but outside the writable dirs', (value) => {
    expect(rejection(value, 'write').message).toMatch(/may not be written: a package writes only inside lib\/lore\/evil\/1\.0\.0, bin, share, etc/);
  });

  it('rejects empty paths and NUL bytes', () => {
    expect(rejection('', 'read').message).toMatch(/empty or holds a NUL/);
    expect(rejection('a\0b', 'write').message).toMatch(/empty or holds a NUL/);
  });

  it('rejects a declared path that leaves the prefix', () => {
    expect(() => confinementFor(PREFIX, { name: 'evil', version: '1', paths: ['../x'] }, SITE)).toThrow(/declared path "..\/x" is outside the prefix/);
  });

  it('returns only paths inside the prefix (writes: inside a writable dir), whatever the input', () => {
    const segment = fc.constantFrom('..', '.', '', 'bin', 'share', 'etc', 'lib', 'lore', 'evil', '1.0.0', 'home', 'kim', '.local', 'x');
    const input = fc.tuple(fc.boolean(), fc.array(segment, { maxLength: 8 })).map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);
    fc.assert(
      fc.property(input, fc.constantFrom('read' as const, 'write' as const), (value, use) => {
        let result: string;
        try {
          result = confinePath(value, use, confinement, { ...SITE, what: 'path' });
        } catch (error) {
          expect(error).toBeInstanceOf(WritLoreError);
          return;
        }
        expect(isPathInside(result, PREFIX)).toBe(true);
        if (use === 'write') expect(confinement.writable.some((dir) => isPathInside(result, dir))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
