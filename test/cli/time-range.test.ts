import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimeBound, parseTimeRange } from '../../cli/time-range.js';
import { isWritLoreError } from '../../src/index.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');

describe('parseTimeBound', () => {
  it.each([
    ['30m', '2026-11-25T11:30:00.000Z'],
    ['24h', '2026-11-24T12:00:00.000Z'],
    ['7d', '2026-11-18T12:00:00.000Z'],
    ['2w', '2026-11-11T12:00:00.000Z'],
    ['0d', '2026-11-25T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T08:15', '2026-11-01T08:15:00.000Z'],
    ['2026-11-01T08:15:30', '2026-11-01T08:15:30.000Z'],
    ['2026-11-01T08:15:30.250Z', '2026-11-01T08:15:30.250Z'],
    ['2026-11-01 08:15:30', '2026-11-01T08:15:30.000Z'],
    ['2026-11-01T08:15:30+02:00', '2026-11-01T06:15:30.000Z'],
  ])('reads --since %s', (value, expected) => {
    expect(parseTimeBound(value, '--since', NOW).toISOString()).toBe(expected);
  });

  it('reads a bare date as the end of that day for --until', () => {
    expect(parseTimeBound('2026-11-01', '--until', NOW).toISOString()).toBe('2026-11-01T23:59:59.999Z');
  });

  it.each(['7x', '', 'd7', '-7d', '7 d', '1.5h', '7D', 'yesterday', '2026-13-01', '2026-02-30', '2026-11-01T25:00', '26-11-01'])(
    'rejects %j with the accepted forms in the message',
    (value) => {
      let caught: unknown;
      try {
        parseTimeBound(value, '--since', NOW);
      } catch (error) {
        caught = error;
      }
      expect(isWritLoreError(caught, 'invalid-input')).toBe(true);
      expect(String(caught)).toBe(
        `invalid --since ${JSON.stringify(value)}: use 30m, 24h, 7d, 2w or an ISO date such as 2026-11-01`,
      );
    },
  );

  it('counts any relative amount back from now', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), fc.constantFrom(['m', 60_000], ['h', 3_600_000], ['d', 86_400_000], ['w', 604_800_000]), (amount, [unit, ms]) => {
        const value = `${amount}${String(unit)}`;
        expect(NOW.getTime() - parseTimeBound(value, '--since', NOW).getTime()).toBe(amount * Number(ms));
      }),
    );
  });
});

describe('parseTimeRange', () => {
  it('leaves absent bounds open', () => {
    expect(parseTimeRange({}, NOW)).toEqual({});
  });

  it('rejects a since after the until', () => {
    expect(() => parseTimeRange({ since: '1d', until: '2d' }, NOW)).toThrow(/is after --until/);
  });
});
