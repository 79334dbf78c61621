import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compensationDoneJson,
  linksPlannedJson,
  nodeDoneJson,
  nodesDoneJson,
  replayJournal,
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

  it('write a links-planned record exactly as JSON.stringify does, and read back', () => {
    const entry = fc.record({ node: text, target: text, link: text, dirs: fc.array(text, { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const columns = {
          nodes: entries.map((e) => e.node),
          targets: entries.map((e) => e.target),
          link_targets: entries.map((e) => e.link),
          created_dirs: entries.map((e) => e.dirs),
        };
        const json = linksPlannedJson(columns);
        expect(json).toBe(JSON.stringify({ kind: 'links-planned', ...columns }));
        expect(toJournalRecord(JSON.parse(json), 'test')).toEqual(JSON.parse(JSON.stringify({ kind: 'links-planned', ...columns })));
      }),
      { numRuns: 200 },
    );
  });

  it('write a nodes-done record exactly as JSON.stringify does, and read back', () => {
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 5 }), (action, nodes) => {
        const json = nodesDoneJson(action, nodes);
        expect(json).toBe(JSON.stringify({ kind: 'nodes-done', action, nodes }));
        expect(toJournalRecord(JSON.parse(json), 'test')).toEqual(JSON.parse(json));
      }),
      { numRuns: 200 },
    );
  });
});

describe('batch records', () => {
  it('replay as the undo-registered and node-done records they stand for', () => {
    const batched = replayJournal([
      { kind: 'links-planned', nodes: ['a', 'b'], targets: ['/h/x/.a', '/h/.b'], link_targets: ['/r/a', '/r/b'], created_dirs: [['/h/x'], []] },
      { kind: 'nodes-done', action: 'file.link', nodes: ['a'] },
    ]);
    const undo = (path: string, link: string, dirs: string[]): JsonValue => ({
      kind: 'place', path, prior: { type: 'missing' }, backup: null, placed: { type: 'symlink', link_target: link }, created_dirs: dirs,
    });
    const single = replayJournal([
      { kind: 'undo-registered', node: 'a', action: 'file.link', undo: undo('/h/x/.a', '/r/a', ['/h/x']), target: '/h/x/.a' },
      { kind: 'undo-registered', node: 'b', action: 'file.link', undo: undo('/h/.b', '/r/b', []), target: '/h/.b' },
      { kind: 'node-done', node: 'a', action: 'file.link', status: 'completed' },
    ]);
    expect(batched).toEqual(single);
    expect(batched.nodes.map((node) => [node.node, node.status])).toEqual([['a', 'completed'], ['b', 'running']]);
  });

  it.each([
    ['columns of different lengths', { nodes: ['a', 'b'], targets: ['/t'], link_targets: ['/s', '/s'], created_dirs: [[], []] }, /columns differ in length/],
    ['a node that is not a string', { nodes: [1], targets: ['/t'], link_targets: ['/s'], created_dirs: [[]] }, /"nodes" must be a list of strings/],
    ['created_dirs holding a number', { nodes: ['a'], targets: ['/t'], link_targets: ['/s'], created_dirs: [[7]] }, /"created_dirs\[0\]" must be a list of strings/],
  ])('refuse a links-planned record with %s, naming where', (_name, fields, message) => {
    expect(() => toJournalRecord({ kind: 'links-planned', ...fields }, 'x.journal:2')).toThrow(message);
    expect(() => toJournalRecord({ kind: 'links-planned', ...fields }, 'x.journal:2')).toThrow(/^x\.journal:2: malformed journal record/);
  });
});
