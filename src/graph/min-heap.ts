/** A binary min-heap of numbers (node positions), for deterministic "earliest ready first" sorts. */
export class MinHeap {
  readonly #items: number[] = [];

  /** The number of queued values. */
  get size(): number {
    return this.#items.length;
  }

  /** Queues `value`. */
  push(value: number): void {
    const items = this.#items;
    let at = items.length;
    items.push(value);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const above = items[parent] ?? 0;
      if (above <= value) break;
      items[at] = above;
      at = parent;
    }
    items[at] = value;
  }

  /** Removes and returns the smallest value, or undefined when empty. */
  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] ?? 0) < (items[left] ?? 0) ? right : left;
      const smaller = items[child] ?? 0;
      if (smaller >= last) break;
      items[at] = smaller;
      at = child;
    }
    items[at] = last;
    return top;
  }
}
