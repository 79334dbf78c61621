import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/index.js';

describe('deepFreeze', () => {
  it('freezes a JSON value and everything in it, and returns the same object', () => {
    const value = { a: [1, { b: 'c' }], d: { e: null } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[1])).toBe(true);
    expect(Object.isFrozen(value.d)).toBe(true);
    expect(() => (value.a as unknown[]).push(2)).toThrow(TypeError);
  });
});
