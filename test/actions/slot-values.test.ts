import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeValueType,
  optionalBytes,
  optionalMode,
  optionalNonEmptyString,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringArray,
  requireBytes,
  requireNonEmptyString,
  requireString,
  requireStringArray,
} from '../../src/actions/index.js';
import { thrown } from '../helpers/thrown.js';

describe('requireString', () => {
  it('returns the string, empty string included', () => {
    expect(requireString({ path: '/a' }, 'path')).toBe('/a');
    expect(requireString({ path: '' }, 'path')).toBe('');
  });

  it.each([
    [{ path: 7 }, 'slot "path" must be a string, got number'],
    [{ path: null }, 'slot "path" must be a string, got null'],
    [{ path: ['x'] }, 'slot "path" must be a string, got array'],
    [{ path: Buffer.from('x') }, 'slot "path" must be a string, got bytes'],
    [{}, 'slot "path" is required but missing'],
  ])('throws invalid-slot for %j', (slots, message) => {
    const error = thrown(() => requireString(slots, 'path'));
    expect(error.code).toBe('invalid-slot');
    expect(error.message).toBe(message);
  });

  it('names the node when given one', () => {
    expect(thrown(() => requireString({ path: 1 }, 'path', 'link:/x')).message).toBe(
      'node "link:/x": slot "path" must be a string, got number',
    );
  });
});

describe('requireNonEmptyString', () => {
  it('returns a non-empty string', () => {
    expect(requireNonEmptyString({ path: '/a' }, 'path', 'file.link')).toBe('/a');
  });

  it.each([
    [{ path: '' }, 'string'],
    [{ path: null }, 'null'],
    [{ path: 7 }, 'number'],
    [{}, 'nothing'],
  ])('throws invalid-slot naming the action for %j', (slots, got) => {
    const error = thrown(() => requireNonEmptyString(slots, 'path', 'file.link'));
    expect(error.code).toBe('invalid-slot');
    expect(error.message).toBe('file.link: slot "path" must be a non-empty string');
    expect(error.hint).toBe(`got ${got}`);
  });
});

describe('optionalNonEmptyString', () => {
  it('returns undefined when unset or null and the string when set', () => {
    expect(optionalNonEmptyString({}, 'mode', 'file.copy')).toBeUndefined();
    expect(optionalNonEmptyString({ mode: null }, 'mode', 'file.copy')).toBeUndefined();
    expect(optionalNonEmptyString({ mode: '0600' }, 'mode', 'file.copy')).toBe('0600');
  });

  it('throws when set to an empty string', () => {
    expect(thrown(() => optionalNonEmptyString({ mode: '' }, 'mode', 'file.copy')).message).toBe(
      'file.copy: slot "mode" must be a non-empty string',
    );
  });
});

describe('optionalString', () => {
  it('returns undefined when unset and the string when set', () => {
    expect(optionalString({}, 'cwd')).toBeUndefined();
    expect(optionalString({ cwd: '/tmp' }, 'cwd')).toBe('/tmp');
  });

  it('throws when set to another type', () => {
    expect(thrown(() => optionalString({ cwd: false }, 'cwd')).message).toBe(
      'slot "cwd" must be a string, got boolean',
    );
  });
});

describe('requireStringArray', () => {
  it('returns the array', () => {
    expect(requireStringArray({ argv: ['ls', '-l'] }, 'argv')).toEqual(['ls', '-l']);
    expect(requireStringArray({ argv: [] }, 'argv')).toEqual([]);
  });

  it('names the index of a non-string element', () => {
    expect(thrown(() => requireStringArray({ argv: ['ls', 3] }, 'argv')).message).toBe(
      'slot "argv[1]" must be a string, got number',
    );
  });

  it('rejects a comma string (packages must be a list)', () => {
    expect(thrown(() => requireStringArray({ packages: 'a,b' }, 'packages')).message).toBe(
      'slot "packages" must be an array of strings, got string',
    );
  });

  it('is optional through optionalStringArray', () => {
    expect(optionalStringArray({}, 'creates')).toBeUndefined();
  });
});

describe('optionalMode', () => {
  it.each([
    ['0644', 0o644],
    ['0600', 0o600],
    ['0755', 0o755],
    ['644', 0o644],
    ['1777', 0o1777],
  ])('reads %s as %o', (text, mode) => {
    expect(optionalMode({ mode: text }, 'mode')).toBe(mode);
  });

  it('returns undefined when unset', () => {
    expect(optionalMode({}, 'mode')).toBeUndefined();
  });

  it.each([[420], ['0x1a4'], ['0648'], ['rw-r--r--'], ['']])('rejects %j', (mode) => {
    const error = thrown(() => optionalMode({ mode }, 'mode'));
    expect(error.code).toBe('invalid-slot');
    expect(error.message).toMatch(/^slot "mode" must be an octal mode string such as "0644", got /);
  });

  it('round-trips every mode through its octal string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o7777 }), (mode) => {
        const text = mode.toString(8).padStart(4, '0');
        expect(optionalMode({ mode: text }, 'mode')).toBe(mode);
      }),
    );
  });
});

describe('optionalNumber', () => {
  it('keeps 0', () => {
    expect(optionalNumber({ strip: 0 }, 'strip')).toBe(0);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], ['1']])('rejects %j', (strip) => {
    expect(thrown(() => optionalNumber({ strip }, 'strip')).code).toBe('invalid-slot');
  });
});

describe('optionalObject', () => {
  it('returns plain objects and rejects arrays and bytes', () => {
    expect(optionalObject({ env: { A: '1' } }, 'env')).toEqual({ A: '1' });
    expect(thrown(() => optionalObject({ env: ['A'] }, 'env')).message).toBe(
      'slot "env" must be an object, got array',
    );
    expect(thrown(() => optionalObject({ env: Buffer.alloc(1) }, 'env')).message).toBe(
      'slot "env" must be an object, got bytes',
    );
  });
});

describe('requireBytes', () => {
  it('encodes strings as UTF-8', () => {
    expect(requireBytes({ content: 'é' }, 'content')).toEqual(Buffer.from([0xc3, 0xa9]));
  });

  it('passes Buffers through and views Uint8Arrays without copying', () => {
    const buffer = Buffer.from('abc');
    expect(requireBytes({ content: buffer }, 'content')).toBe(buffer);
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const view = requireBytes({ content: backing.subarray(1, 4) }, 'content');
    expect([...view]).toEqual([1, 2, 3]);
    expect(view.buffer).toBe(backing.buffer);
  });

  it('rejects numbers and objects', () => {
    expect(thrown(() => requireBytes({ content: 5 }, 'content')).message).toBe(
      'slot "content" must be a string or bytes, got number',
    );
    expect(thrown(() => requireBytes({ content: { a: 1 } }, 'content')).code).toBe('invalid-slot');
  });

  it('is optional through optionalBytes', () => {
    expect(optionalBytes({}, 'content')).toBeUndefined();
    expect(optionalBytes({ content: '' }, 'content')).toEqual(Buffer.alloc(0));
  });
});

describe('describeValueType', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    [[], 'array'],
    [new Uint8Array(1), 'bytes'],
    [{}, 'object'],
    ['', 'string'],
  ])('describes %j as %s', (value, name) => {
    expect(describeValueType(value)).toBe(name);
  });
});
