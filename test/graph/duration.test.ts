import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WritLoreError, formatDuration, isDuration, parseDuration } from '../../src/graph/index.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['2s', 2_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1h2m3s4ms', 3_723_004],
    ['0', 0],
    ['0s', 0],
    ['0.0005s', 1],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5x', '5', '-1s', ' 1s', '1s ', '1 s', '30s1m', '1s1s', '1.s', '.5s', 's', '1m30', 'ms', '1S'])(
    'rejects %j with an invalid-input error naming the text',
    (text) => {
      expect(() => parseDuration(text)).toThrow(WritLoreError);
      expect(() => parseDuration(text)).toThrow(
        `invalid duration ${JSON.stringify(text)} (use e.g. 500ms, 2s, 1m30s)`,
      );
      expect(isDuration(text)).toBe(false);
    },
  );

  it('gives the error the invalid-input code', () => {
    try {
      parseDuration('5x');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid-input', message: 'invalid duration "5x" (use e.g. 500ms, 2s, 1m30s)' });
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1_500, '1s500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [604_800_000 + 86_400_000, '1w1d'],
    [999.6, '1s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(/cannot format/);
  });

  it('round-trips every whole number of milliseconds through parseDuration', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 48 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
