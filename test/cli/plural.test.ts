import { describe, expect, it } from 'vitest';
import { formatCount } from '../../cli/plural.js';

describe('formatCount', () => {
  it.each([
    [0, 'target', undefined, '0 targets'],
    [1, 'target', undefined, '1 target'],
    [2, 'conflict', undefined, '2 conflicts'],
    [1, 'identity', 'identities', '1 identity'],
    [3, 'identity', 'identities', '3 identities'],
  ])('formats %i %s', (count, noun, plural, expected) => {
    expect(formatCount(count, noun, plural)).toBe(expected);
  });
});
