import { describe, expect, it } from 'vitest';
import { deepFreeze, isDeepFrozen, type JsonValue } from '../../src/index.js';

describe('deepFreeze', () => {
  it('freezes a JSON value and everything in it, and returns the same object', () => {
    const value = { a: [1, { b: 'c' }], d: { e: null } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[1])).toBe(true);
    expect(Object.isFrozen(value.d)).toBe(true);
    expect(() => (value.a as unknown[]).push(2)).toThrow(TypeError);
    expect(isDeepFrozen(value)).toBe(true);
  });

  it('tells a shallow-frozen value from a deep-frozen one', () => {
    const inner = { b: 1 };
    const shallow = Object.freeze({ inner });
    expect(isDeepFrozen(shallow)).toBe(false);
    expect(isDeepFrozen({ a: 1 })).toBe(false);
    expect(isDeepFrozen(Object.freeze({ list: Object.freeze([Object.freeze({ x: 1 })]) }) as JsonValue)).toBe(true);
    for (const scalar of [null, 1, 'x', true] as const) expect(isDeepFrozen(scalar)).toBe(true);
  });
});
