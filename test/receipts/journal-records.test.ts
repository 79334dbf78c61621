import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compensationDoneJson,
  nodeDoneJson,
  toJournalRecord,
  undoRegisteredJson,
  type JsonValue,
} from '../../src/index.js';

// Any string, including quotes, backslashes, control characters, lone surrogates and emoji.
const text = fc.string({ unit: 'binary' });
const iteration = fc.option(fc.record({ flow: text, index: fc.nat() }), { nil: undefined });
const optional = fc.option(text, { nil: undefined });
const undo = fc.jsonValue() as fc.Arbitrary<JsonValue>;

function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

describe('hand-built journal records', () => {
  it('write an undo registration exactly as JSON.stringify does, and read back', () => {
    fc.assert(
      fc.property(text, text, undo, optional, iteration, (node, action, state, target, it) => {
        const json = undoRegisteredJson(node, action, JSON.stringify(state), target, it);
        const record = defined({ kind: 'undo-registered', node, action, undo: state, target, iteration: it });
        expect(json).toBe(JSON.stringify(record));
        expect(toJournalRecord(JSON.parse(json), 'test')).toEqual(JSON.parse(JSON.stringify(record)));
      }),
      { numRuns: 300 },
    );
  });

  it('write a node-done record exactly as JSON.stringify does', () => {
    const status = fc.constantFrom('completed' as const, 'failed' as const);
    const state = fc.option(undo, { nil: undefined });
    fc.assert(
      fc.property(text, text, status, state, optional, optional, iteration, (node, action, s, u, error, target, it) => {
        const json = nodeDoneJson(node, action, s, u === undefined ? undefined : JSON.stringify(u), error, target, it);
        const record = defined({ kind: 'node-done', node, action, status: s, undo: u, error, target, iteration: it });
        expect(json).toBe(JSON.stringify(record));
        expect(toJournalRecord(JSON.parse(json), 'test')).toMatchObject({ kind: 'node-done', node, status: s });
      }),
      { numRuns: 300 },
    );
  });

  it('write a compensation-done record exactly as JSON.stringify does', () => {
    const status = fc.constantFrom('compensated' as const, 'not-compensable' as const, 'failed' as const);
    fc.assert(
      fc.property(text, status, optional, iteration, (node, s, error, it) => {
        const json = compensationDoneJson(node, s, error, it);
        expect(json).toBe(JSON.stringify(defined({ kind: 'compensation-done', node, status: s, error, iteration: it })));
      }),
      { numRuns: 300 },
    );
  });
});
