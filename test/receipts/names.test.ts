import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReceiptName, receiptFileName, receiptStem, stemOf } from '../../src/index.js';

describe('receiptStem', () => {
  it('formats the UTC timestamp with dashes and milliseconds', () => {
    expect(receiptStem('writ', '2026-11-01T12:34:56.789Z')).toBe('writ-2026-11-01T12-34-56-789Z');
    expect(receiptStem('lore', '2026-11-01T14:34:56.789+02:00')).toBe('lore-2026-11-01T12-34-56-789Z');
    expect(receiptStem('writ', '2026-11-01T12:34:56.789Z', 3)).toBe('writ-2026-11-01T12-34-56-789Z-3');
    expect(receiptFileName('writ-x')).toBe('writ-x.yaml');
  });

  it('rejects a timestamp that is not a date', () => {
    expect(() => receiptStem('writ', 'yesterday')).toThrow(/is not a date/);
  });

  it('round-trips through parseReceiptName for any time and sequence', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        fc.constantFrom('writ' as const, 'lore' as const),
        fc.integer({ min: 1, max: 500 }),
        (date, tool, sequence) => {
          const stem = receiptStem(tool, date.toISOString(), sequence);
          expect(parseReceiptName(`${stem}.yaml`)).toEqual({ stem, tool, timestamp: date.toISOString(), time: date.getTime(), sequence });
        },
      ),
    );
  });
});

describe('parseReceiptName', () => {
  it.each(['writ-latest.yaml', 'make-2026-11-01T12-34-56-789Z.yaml', 'writ-2026-11-01T12-34-56Z.yaml', 'writ-2026-13-01T12-34-56-789Z', 'writ-2026-11-01T12-34-56-789Z-1', 'writ-2026-11-01T12-34-56-789Z-01'])(
    'rejects %s',
    (name) => {
      expect(parseReceiptName(name)).toBeUndefined();
    },
  );

  it('strips directories and extensions', () => {
    expect(stemOf('/a/b/writ-x.journal')).toBe('writ-x');
    expect(stemOf('writ-x.yaml')).toBe('writ-x');
  });
});
