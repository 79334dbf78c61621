import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyInPieces } from '../../src/receipts/json-pieces.js';

function pieces(value: unknown, size?: number): string[] {
  const out: string[] = [];
  stringifyInPieces(value, (piece) => out.push(piece), size);
  return out;
}

/** JSON-ish values with long lists (walked item by item) and what JSON.stringify drops or nulls. */
const valueArbitrary = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(tie('value'), { maxLength: 8 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 6 }),
    fc.constantFrom(undefined, () => 1, Symbol('s'), new Date(0), -0, Number.NaN, '\u{1F600}\ud800'),
  ),
})).value;

describe('stringifyInPieces', () => {
  it('joins to exactly JSON.stringify, in pieces of about the size asked', () => {
    fc.assert(
      fc.property(valueArbitrary, fc.integer({ min: 1, max: 300 }), (value, size) => {
        const out = pieces(value, size);
        expect(out.join('')).toBe(JSON.stringify(value) ?? '');
        // Only the last piece may be shorter than asked.
        for (const piece of out.slice(0, -1)) expect(piece.length).toBeGreaterThanOrEqual(size);
      }),
      { numRuns: 300 },
    );
  });

  it('joins to exactly JSON.stringify for long lists, holes and all, at any batch boundary', () => {
    const item = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(undefined, () => 1, new Date(0)));
    fc.assert(
      fc.property(fc.array(item, { minLength: 200, maxLength: 800 }), fc.integer({ min: 1, max: 5000 }), (list, size) => {
        expect(pieces({ list }, size).join('')).toBe(JSON.stringify({ list }));
        expect(pieces(list, size).join('')).toBe(JSON.stringify(list));
      }),
      { numRuns: 100 },
    );
  });

  it('splits a large list into many pieces, whose UTF-8 bytes join to the whole', () => {
    const value = { header: { tool: 'writ' }, pushes: Array.from({ length: 5000 }, (_, i) => [`/home/é/${i}`, i, null]) };
    const out = pieces(value, 4096);
    expect(out.length).toBeGreaterThan(10);
    const joined = Buffer.concat(out.map((piece) => Buffer.from(piece, 'utf8')));
    expect(joined.equals(Buffer.from(JSON.stringify(value), 'utf8'))).toBe(true);
  });

  it('gives no piece for what has no JSON form', () => {
    expect(pieces(undefined)).toEqual([]);
    expect(pieces(() => 1)).toEqual([]);
  });
});
