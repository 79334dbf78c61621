import { MinHeap, type Edge, type Node } from '../graph/index.js';
import { EventLoopSlices } from './event-loop.js';

/** How the scheduler reacts to a failed node. */
export type SchedulePolicy =
  /** Start nothing more; in-flight nodes finish. */
  | 'halt'
  /** Keep going with every node that does not depend on a failure. */
  | 'continue';

/** What to schedule. */
export interface ScheduleRequest {
  /** The nodes to run, in graph order (the order breaks ties). */
  readonly nodes: readonly Node[];
  /** Edges; only those between two of `nodes` constrain the order. */
  readonly edges: readonly Edge[];
  /** Maximum nodes in flight. */
  readonly jobs: number;
  readonly policy: SchedulePolicy;
  /** Stops scheduling when aborted (in-flight nodes finish). */
  readonly signal?: AbortSignal;
  /** Runs one node; resolves true when it completed, false when it failed. Never rejects. */
  run(node: Node): Promise<boolean>;
}

/** What happened. */
export interface ScheduleOutcome {
  /** Ids of the nodes that failed, in the order they failed. */
  readonly failed: readonly string[];
  /** Nodes never started, in graph order. */
  readonly notStarted: readonly Node[];
}

/**
 * Runs nodes with bounded concurrency: a node becomes ready when all its predecessors in the
 * set completed (in-degree counting); the ready node first in graph order starts first.
 */
export function schedule(request: ScheduleRequest): Promise<ScheduleOutcome> {
  return new Promise((resolve) => new Dispatcher(request, resolve).pump());
}

/** The state of one {@link schedule} call: ready queue, in-degrees, nodes in flight. */
class Dispatcher {
  private readonly request: ScheduleRequest;
  private readonly done: (outcome: ScheduleOutcome) => void;
  private readonly successors: number[][];
  private readonly inDegree: Int32Array;
  private readonly ready = new MinHeap();
  private readonly started: Uint8Array;
  private readonly failed: string[] = [];
  private running = 0;
  private halted = false;
  private readonly slices = new EventLoopSlices();

  constructor(request: ScheduleRequest, done: (outcome: ScheduleOutcome) => void) {
    this.request = request;
    this.done = done;
    ({ successors: this.successors, inDegree: this.inDegree } = buildAdjacency(request.nodes, request.edges));
    this.started = new Uint8Array(request.nodes.length);
    for (let i = 0; i < request.nodes.length; i += 1) {
      // A node skipped before the run is settled already (its dependents are skipped too).
      if ((request.nodes[i] as Node).status === 'skipped') this.started[i] = 1;
      else if (this.inDegree[i] === 0) this.ready.push(i);
    }
  }

  /** Starts ready nodes up to the limit; resolves when nothing runs and nothing can start. */
  pump(): void {
    const { request } = this;
    if (request.signal?.aborted === true) this.halted = true;
    while (!this.halted && this.running < request.jobs && this.ready.size > 0) {
      const index = this.ready.pop() as number;
      this.running += 1;
      this.started[index] = 1;
      request.run(request.nodes[index] as Node).then(
        (completed) => this.settle(index, completed),
        // `run` records its own failures and never rejects; a rejection is treated as a failure.
        () => this.settle(index, false),
      );
    }
    if (this.running === 0 && (this.halted || this.ready.size === 0)) {
      const notStarted = request.nodes.filter((_, i) => this.started[i] === 0);
      this.done({ failed: this.failed, notStarted });
    }
  }

  private settle(index: number, completed: boolean): void {
    this.running -= 1;
    if (completed) {
      for (const next of this.successors[index] ?? []) {
        this.inDegree[next] = (this.inDegree[next] as number) - 1;
        // A node skipped before the run counts as started: it never becomes ready.
        if (this.inDegree[next] === 0 && this.started[next] === 0) this.ready.push(next);
      }
    } else {
      this.failed.push((this.request.nodes[index] as Node).id);
      if (this.request.policy === 'halt') this.halted = true;
    }
    // Now and then through the event loop, so that a signal's abort is seen before the end.
    const pause = this.slices.pause();
    if (pause === undefined) this.pump();
    else void pause.then(() => this.pump());
  }
}

function buildAdjacency(
  nodes: readonly Node[],
  edges: readonly Edge[],
): { successors: number[][]; inDegree: Int32Array } {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.id, i));
  const successors: number[][] = new Array<number[]>(nodes.length);
  const inDegree = new Int32Array(nodes.length);
  for (const edge of edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined) continue;
    (successors[from] ??= []).push(to);
    inDegree[to] = (inDegree[to] as number) + 1;
  }
  return { successors, inDegree };
}

/**
 * For every node that (transitively, within `nodes`) depends on one of `failed`, the failed node
 * it depends on: the first one in `failed` order that reaches it.
 */
export function blockedBy(
  failed: readonly string[],
  nodes: readonly Node[],
  edges: readonly Edge[],
): Map<string, string> {
  const members = new Set(nodes.map((node) => node.id));
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (!members.has(edge.from) || !members.has(edge.to)) continue;
    const list = next.get(edge.from);
    if (list === undefined) next.set(edge.from, [edge.to]);
    else list.push(edge.to);
  }
  const blocked = new Map<string, string>();
  for (const origin of failed) {
    const queue = [origin];
    while (queue.length > 0) {
      const current = queue.pop() as string;
      for (const to of next.get(current) ?? []) {
        if (blocked.has(to) || failed.includes(to)) continue;
        blocked.set(to, origin);
        queue.push(to);
      }
    }
  }
  return blocked;
}
