import { describe, expect, it } from 'vitest';
import {
  fillSlotsFromData,
  immediate,
  promise,
  proxy,
  resolveSlots,
} from '../../src/graph/index.js';
import type { Node, Slots } from '../../src/graph/index.js';
import { thrown } from '../helpers/thrown.js';

const node = (slots: Slots, id = 'copy-3'): Node => ({ id, action: 'file.copy', status: 'pending', slots });

describe('resolveSlots', () => {
  it('passes immediates through as they are, falsy values included', () => {
    const slots = { a: immediate(0), b: immediate(''), c: immediate(false), d: immediate(null), e: immediate({ x: [1] }) };
    expect(resolveSlots(node(slots), new Map())).toEqual({ a: 0, b: '', c: false, d: null, e: { x: [1] } });
  });

  it('resolves a promise to the whole result of its producer', () => {
    const bytes = Buffer.from('hello');
    const resolved = resolveSlots(node({ content: promise('render-2') }), new Map([['render-2', bytes]]));
    expect(resolved['content']).toBe(bytes);
  });

  it('resolves a promise whose producer completed without a result to undefined', () => {
    expect(resolveSlots(node({ x: promise('mkdir-1') }), new Map([['mkdir-1', undefined]]))).toEqual({ x: undefined });
  });

  it('reads the named field of an object or Map result', () => {
    const results = new Map<string, unknown>([
      ['dl', { path: '/tmp/a', sha256: 'sha256:00', size: 0 }],
      ['m', new Map([['path', '/tmp/b']])],
    ]);
    const resolved = resolveSlots(node({ a: promise('dl', 'path'), s: promise('dl', 'size'), b: promise('m', 'path') }), results);
    expect(resolved).toEqual({ a: '/tmp/a', s: 0, b: '/tmp/b' });
  });

  it('throws invalid-slot naming node, slot and producer when the producer has no result', () => {
    const error = thrown(() => resolveSlots(node({ content: promise('render-2') }), new Map()));
    expect(error.code).toBe('invalid-slot');
    expect(error.message).toBe('node "copy-3" slot "content": node "render-2" has no result');
  });

  it.each([
    [{ other: 1 }, 'node "copy-3" slot "p": the result of node "dl" has no field "path"'],
    [new Map([['other', 1]]), 'node "copy-3" slot "p": the result of node "dl" has no field "path"'],
    ['text', 'node "copy-3" slot "p": the result of node "dl" is a string, not an object with field "path"'],
    [null, 'node "copy-3" slot "p": the result of node "dl" is null, not an object with field "path"'],
    [Object.create({ path: 'inherited' }) as object, 'node "copy-3" slot "p": the result of node "dl" has no field "path"'],
  ])('throws invalid-slot when the result %o lacks the promised field', (result, message) => {
    const error = thrown(() => resolveSlots(node({ p: promise('dl', 'path') }), new Map([['dl', result]])));
    expect(error.code).toBe('invalid-slot');
    expect(error.message).toBe(message);
  });

  it('resolves a proxy to the current item of its gather, or a field of it', () => {
    const items = new Map<string, unknown>([['g', { name: 'ripgrep', version: '14' }]]);
    const resolved = resolveSlots(node({ item: proxy('g'), name: proxy('g', 'name') }), new Map(), items);
    expect(resolved).toEqual({ item: { name: 'ripgrep', version: '14' }, name: 'ripgrep' });
  });

  it('resolves proxies of nested gathers independently', () => {
    const items = new Map<string, unknown>([['outer', 'a'], ['inner', 'b']]);
    expect(resolveSlots(node({ o: proxy('outer'), i: proxy('inner') }), new Map(), items)).toEqual({ o: 'a', i: 'b' });
  });

  it.each([[undefined], [new Map<string, unknown>([['other', 1]])]])(
    'throws invalid-slot for a proxy used outside its gather (items %o)',
    (items) => {
      const error = thrown(() => resolveSlots(node({ path: proxy('g', 'path') }), new Map(), items));
      expect(error.code).toBe('invalid-slot');
      expect(error.message).toBe('node "copy-3" slot "path": proxy of gather "g" used outside that gather (no current item)');
    },
  );

  it('throws invalid-slot when the gather item lacks the field', () => {
    const error = thrown(() => resolveSlots(node({ path: proxy('g', 'path') }), new Map(), new Map([['g', { x: 1 }]])));
    expect(error.message).toBe('node "copy-3" slot "path": the current item of gather "g" has no field "path"');
  });

  it('keeps a slot named __proto__ as plain data', () => {
    const slots: Slots = Object.fromEntries([['__proto__', immediate('x')]]);
    const resolved = resolveSlots(node(slots), new Map());
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(Object.hasOwn(resolved, '__proto__')).toBe(true);
  });
});

describe('fillSlotsFromData', () => {
  it('fills only the named slots that are unset, from data that has them', () => {
    const resolved = { path: '/a', mode: undefined, keep: 1 };
    const data = { mode: '0600', path: '/other', variables: { x: 1 }, keep: 2, absent: undefined };
    const filled = fillSlotsFromData(resolved, data, ['mode', 'path', 'variables', 'missing', 'keep']);
    expect(filled).toEqual({ path: '/a', mode: '0600', keep: 1, variables: { x: 1 } });
    expect(Object.hasOwn(filled, 'missing')).toBe(false);
  });

  it('returns a copy and leaves its input untouched', () => {
    const resolved = { a: 1 };
    const filled = fillSlotsFromData(resolved, { b: 2 }, ['b']);
    expect(filled).not.toBe(resolved);
    expect(resolved).toEqual({ a: 1 });
  });

  it('keeps falsy values the node set', () => {
    expect(fillSlotsFromData({ a: 0, b: null, c: '' }, { a: 1, b: 2, c: 3 }, ['a', 'b', 'c'])).toEqual({ a: 0, b: null, c: '' });
  });

  it('ignores inherited properties of data', () => {
    const data = Object.create({ a: 1 }) as Record<string, unknown>;
    expect(fillSlotsFromData({}, data, ['a', 'toString'])).toEqual({});
  });
});
