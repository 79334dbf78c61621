/**
 * A min-heap of node indices: the ready node that comes first in the graph runs first, so a run
 * with `jobs: 1` follows the stable topological order (ties broken by insertion order).
 */
export class ReadyQueue {
  private readonly heap: number[] = [];

  /** The number of ready nodes. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds a ready node index. */
  push(index: number): void {
    const heap = this.heap;
    let at = heap.length;
    heap.push(index);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const above = heap[parent] as number;
      if (above <= index) break;
      heap[at] = above;
      at = parent;
    }
    heap[at] = index;
  }

  /** Removes and returns the smallest index; undefined when empty. */
  pop(): number | undefined {
    const heap = this.heap;
    const first = heap[0];
    const last = heap.pop();
    if (first === undefined || last === undefined || heap.length === 0) return first;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as number) < (heap[left] as number) ? right : left;
      if ((heap[child] as number) >= last) break;
      heap[at] = heap[child] as number;
      at = child;
    }
    heap[at] = last;
    return first;
  }
}
