import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/graph/index.js';
import { undoStateJson } from '../../src/receipts/journal-undo-json.js';

/** A free-link place state (the fast path's shape) with arbitrary strings, including escapes. */
const freeLink = fc.record({
  path: fc.string({ unit: 'binary' }),
  target: fc.string({ unit: 'binary' }),
  dirs: fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
});

function placeState(path: string, target: string, dirs: readonly JsonValue[]): { [key: string]: JsonValue } {
  return {
    kind: 'place',
    path,
    prior: { type: 'missing' },
    backup: null,
    placed: { type: 'symlink', link_target: target },
    created_dirs: [...dirs],
  };
}

describe('undoStateJson', () => {
  it('writes exactly what JSON.stringify writes for a link on a free path', () => {
    fc.assert(
      fc.property(freeLink, ({ path, target, dirs }) => {
        const state = placeState(path, target, dirs);
        expect(undoStateJson(state)).toBe(JSON.stringify(state));
      }),
    );
  });

  it.each<[string, (state: { [key: string]: JsonValue }) => JsonValue]>([
    ['an extra key', (state) => ({ ...state, extra: 1 })],
    ['keys in another order', ({ kind: _, ...rest }) => ({ ...rest, kind: 'place' })],
    ['a backup', (state) => ({ ...state, backup: { id: 'b1' } })],
    ['a prior file', (state) => ({ ...state, prior: { type: 'file', digest: 'sha256:00', mode: '0644' } })],
    ['an extra key in prior', (state) => ({ ...state, prior: { type: 'missing', mode: '0644' } })],
    ['a placed file', (state) => ({ ...state, placed: { type: 'file', digest: 'sha256:00', mode: '0644' } })],
    ['an extra key in placed', (state) => ({ ...state, placed: { type: 'symlink', link_target: '/s', mode: '0777' } })],
    ['a non-string created dir', (state) => ({ ...state, created_dirs: ['/a', 7] })],
    ['a numeric path', (state) => ({ ...state, path: 42 })],
    ['another kind', (state) => ({ ...state, kind: 'displace' })],
  ])('falls back to JSON.stringify for a state with %s', (_, change) => {
    const state = change(placeState('/home/kim/.vimrc', '/repo/vimrc', ['/home/kim/.config']));
    expect(undoStateJson(state)).toBe(JSON.stringify(state));
  });

  it('matches JSON.stringify for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(undoStateJson(value as JsonValue)).toBe(JSON.stringify(value));
    }));
  });
});
