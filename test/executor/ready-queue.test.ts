import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../src/executor/ready-queue.js';

describe('ReadyQueue', () => {
  it('pops pushed indices smallest first, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 })), (values) => {
        const queue = new ReadyQueue();
        for (const value of values) queue.push(value);
        const popped: number[] = [];
        while (queue.size > 0) popped.push(queue.pop() as number);
        expect(popped).toEqual([...values].sort((a, b) => a - b));
        expect(queue.pop()).toBeUndefined();
      }),
    );
  });

  it('interleaves pushes and pops correctly', () => {
    const queue = new ReadyQueue();
    queue.push(5);
    queue.push(2);
    expect(queue.pop()).toBe(2);
    queue.push(1);
    queue.push(9);
    expect([queue.pop(), queue.pop(), queue.pop(), queue.size]).toEqual([1, 5, 9, 0]);
  });
});
