import { describe, expect, it } from 'vitest';
import { RecoveryStack } from '../../src/executor/index.js';

function entry(node: string, order: number, undo: string = node) {
  return { node, action: 'test.record', undo, order };
}

describe('RecoveryStack', () => {
  it('counts pushed entries and keeps them in start order even when pushed out of order', () => {
    const stack = new RecoveryStack();
    stack.push(entry('b', 2));
    stack.push(entry('a', 1));
    stack.push(entry('c', 3));
    expect(stack.len).toBe(3);
    expect(stack.entries().map((e) => e.node)).toEqual(['a', 'b', 'c']);
  });

  it('replaces the undo state when a node registers again', () => {
    const stack = new RecoveryStack();
    stack.push(entry('a', 1, 'first'));
    stack.push(entry('a', 1, 'second'));
    expect(stack.entries()).toEqual([entry('a', 1, 'second')]);
  });

  it('hands out copies from entries()', () => {
    const stack = new RecoveryStack();
    stack.push(entry('a', 1));
    const copy = stack.entries();
    (copy[0] as { undo: unknown }).undo = 'changed';
    expect(stack.entries()[0]?.undo).toBe('a');
  });

  it('unwinds in reverse start order, goes on past a failure and ends empty', async () => {
    const stack = new RecoveryStack();
    for (const [i, id] of ['a', 'b', 'c'].entries()) stack.push(entry(id, i + 1));
    const seen: string[] = [];
    const failures = await stack.unwind(async (e) => {
      seen.push(e.node);
      if (e.node === 'b') throw new Error('b broke');
    });
    expect(seen).toEqual(['c', 'b', 'a']);
    expect(failures.map((f) => [f.entry.node, (f.error as Error).message])).toEqual([['b', 'b broke']]);
    expect(stack.len).toBe(0);
  });

  it('unwinds only entries from a mark, leaving older ones', async () => {
    const stack = new RecoveryStack();
    for (const [i, id] of ['a', 'b', 'c'].entries()) stack.push(entry(id, i + 1));
    const seen: string[] = [];
    await stack.unwind(async (e) => void seen.push(e.node), { from: 2 });
    expect(seen).toEqual(['c', 'b']);
    expect(stack.entries().map((e) => e.node)).toEqual(['a']);
  });

  it('stops before the next entry when its signal aborts, keeping what is left', async () => {
    const stack = new RecoveryStack();
    for (const [i, id] of ['a', 'b', 'c'].entries()) stack.push(entry(id, i + 1));
    const controller = new AbortController();
    await stack.unwind(async () => controller.abort(), { signal: controller.signal });
    expect(stack.entries().map((e) => e.node)).toEqual(['a', 'b']);
  });

  it('does nothing for an empty stack', async () => {
    expect(await new RecoveryStack().unwind(() => Promise.reject(new Error('never')))).toEqual([]);
  });
});
