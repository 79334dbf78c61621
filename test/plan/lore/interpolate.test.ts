import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WritLoreError } from '../../../src/graph/index.js';
import { interpolate } from '../../../src/plan/index.js';

const SITE = { file: 'packages/tool/package.yaml', line: 12, what: 'step "link" target' };
const VARS = { name: 'tool', version: '1.0.0', prefix: '/home/kim/.local', 'settings.theme': 'dark', 'source.url': 'files/t.tgz' };

describe('interpolate', () => {
  it.each([
    ['${prefix}/bin/${name}', '/home/kim/.local/bin/tool'],
    ['theme-${settings.theme}', 'theme-dark'],
    ['${source.url}', 'files/t.tgz'],
    ['no references', 'no references'],
    ['costs $$5 and $${name}', 'costs $5 and ${name}'],
    ['a lone $ stays', 'a lone $ stays'],
  ])('expands %j', (text, expected) => {
    expect(interpolate(text, VARS, SITE)).toBe(expected);
  });

  it('rejects an unknown variable naming file, line and a suggestion', () => {
    let caught: unknown;
    try {
      interpolate('${prefx}/bin', VARS, SITE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WritLoreError);
    const error = caught as WritLoreError;
    expect(error.code).toBe('invalid-input');
    expect(error.located).toBe('packages/tool/package.yaml:12: step "link" target uses unknown variable "${prefx}" (did you mean "${prefix}"?)');
  });

  it('rejects an unclosed reference', () => {
    expect(() => interpolate('${prefix/bin', VARS, SITE)).toThrow(/unclosed/);
  });

  it('never expands a substituted value again', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, value) => {
        const vars = { x: value, name: 'SHOULD-NOT-APPEAR' };
        const text = `${before.replaceAll('$', () => '$$')}\${x}`;
        expect(interpolate(text, vars, SITE)).toBe(`${before}${value}`);
      }),
    );
  });
});
