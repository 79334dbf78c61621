import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/graph/min-heap.js';

describe('MinHeap', () => {
  it('pops undefined when empty', () => {
    expect(new MinHeap().pop()).toBeUndefined();
  });

  it('pops any pushed numbers in ascending order, repeats included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 200 }), (values) => {
        const heap = new MinHeap();
        values.forEach((value) => heap.push(value));
        expect(heap.size).toBe(values.length);
        const popped: number[] = [];
        for (let value = heap.pop(); value !== undefined; value = heap.pop()) popped.push(value);
        expect(popped).toEqual([...values].sort((a, b) => a - b));
      }),
    );
  });

  it('stays ordered when pushes and pops interleave', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.nat(100), { nil: undefined }), { maxLength: 200 }), (steps) => {
        const heap = new MinHeap();
        const model: number[] = [];
        for (const step of steps) {
          if (step === undefined) {
            model.sort((a, b) => a - b);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.push(step);
            model.push(step);
          }
        }
      }),
    );
  });
});
