import { describe, expect, it } from 'vitest';
import { holds, parsePredicate } from '../../../src/actions/index.js';

describe('predicates', () => {
  it.each([
    [{ equals: 3 }, 3, true],
    [{ equals: { a: [1] } }, { a: [1] }, true],
    [{ equals: 'x' }, 'y', false],
    [{ one_of: ['a', 'b'] }, 'b', true],
    [{ one_of: ['a', 'b'] }, 'c', false],
    [{ truthy: true }, 'non-empty', true],
    [{ truthy: false }, 0, true],
    [{ truthy: true }, '', false],
    [{ matches: '^v\\d+' }, 'v12', true],
    [{ matches: '^v\\d+' }, 12, false],
  ])('%j on %j is %s', (data, value, expected) => {
    expect(holds(parsePredicate(data, 'when'), value)).toBe(expected);
  });

  it.each([
    [null, 'must be an object'],
    [{ equals: 1, truthy: true }, 'exactly one of'],
    [{ truthy: 'yes' }, 'is not a predicate of this form'],
    [{ matches: '(' }, 'invalid regular expression'],
  ])('rejects %j', (data, message) => {
    expect(() => parsePredicate(data, 'when')).toThrow(message);
  });
});
