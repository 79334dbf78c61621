/**
 * Algorithms over adjacency lists of node positions (`out[i]` = successors of node i, sorted),
 * shared by DependencyView. Positions, not ids, keep them fast and order-deterministic.
 */

import { MinHeap } from './min-heap.js';

/** Adjacency lists by node position. */
export type Adjacency = readonly (readonly number[])[];

/** Ascending numeric comparison. */
export function byNumber(a: number, b: number): number {
  return a - b;
}

/** Sorts in place and drops repeats (repeated edges); most lists have 0 or 1 entries. */
export function sortUnique(values: number[]): number[] {
  if (values.length < 2) return values;
  values.sort(byNumber);
  let kept = 1;
  for (let i = 1; i < values.length; i++) {
    const value = values[i] ?? 0;
    if (value !== values[kept - 1]) values[kept++] = value;
  }
  values.length = kept;
  return values;
}

/** Positions reachable from `start` along `adjacency`, sorted (`start` only if on a cycle). */
export function reach(adjacency: Adjacency, start: number): number[] {
  const seen = new Set<number>();
  const stack = [...(adjacency[start] ?? [])];
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    if (seen.has(at)) continue;
    seen.add(at);
    for (const next of adjacency[at] ?? []) stack.push(next);
  }
  return [...seen].sort(byNumber);
}

/** Iterative three-colour DFS; returns the positions of the first cycle found, in edge order. */
export function findCycleIn(out: Adjacency): number[] | undefined {
  const state = new Uint8Array(out.length); // 0 unseen, 1 on the stack, 2 done
  const stackPosition = new Int32Array(out.length);
  for (let root = 0; root < out.length; root++) {
    if (state[root] !== 0) continue;
    const path = [root];
    const cursor = [0];
    state[root] = 1;
    stackPosition[root] = 0;
    while (path.length > 0) {
      const depth = path.length - 1;
      const at = path[depth] ?? 0;
      const succ = out[at]?.[cursor[depth] ?? 0];
      if (succ === undefined) {
        state[at] = 2;
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[depth] = (cursor[depth] ?? 0) + 1;
      if (state[succ] === 1) return path.slice(stackPosition[succ]);
      if (state[succ] === 2) continue;
      state[succ] = 1;
      stackPosition[succ] = path.length;
      path.push(succ);
      cursor.push(0);
    }
  }
  return undefined;
}

/** Predecessor lists from successor lists; visiting sources in order keeps each list sorted. */
export function invert(out: Adjacency): number[][] {
  const into: number[][] = out.map(() => []);
  out.forEach((succs, from) => succs.forEach((to) => into[to]?.push(from)));
  return into;
}

/**
 * Kahn's algorithm with a min-heap: among ready nodes the lowest position always goes next, so
 * the result is the lexicographically smallest topological order. Shorter than `out` on a cycle.
 */
export function kahnOrder(out: Adjacency, into: Adjacency): number[] {
  const remaining = into.map((preds) => preds.length);
  const ready = new MinHeap();
  remaining.forEach((count, i) => count === 0 && ready.push(i));
  const order: number[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(next);
    for (const succ of out[next] ?? []) {
      const left = (remaining[succ] ?? 0) - 1;
      remaining[succ] = left;
      if (left === 0) ready.push(succ);
    }
  }
  return order;
}
