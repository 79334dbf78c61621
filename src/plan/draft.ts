import { WritLoreError } from '../graph/index.js';
import type { Edge, EdgeKind, Node, Phase, PhaseRole, RetryPolicy, Slot } from '../graph/index.js';
import { toJsonValue } from './inputs.js';

/** A phase being built. */
export interface DraftPhase {
  readonly id: string;
  readonly name: string;
  readonly role: PhaseRole;
  readonly retry?: RetryPolicy;
  readonly compensate?: string;
  readonly nodes: string[];
  /** Position among top-level phases (forward and compensation); undefined for body phases. */
  readonly order?: number;
}

/** A body phase being filled, and the flow node (gather, choose) that runs it. */
export interface BodyFrame {
  readonly phase: DraftPhase;
  readonly flowNode: string;
}

/** A node being built (every field present, absent ones undefined: one object shape for all). */
export interface DraftNode {
  readonly id: string;
  readonly action: string;
  readonly slots: Readonly<Record<string, Slot>>;
  readonly project: string | undefined;
  readonly layer: string | undefined;
  readonly phase: DraftPhase | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** The body phases enclosing the node when it was added, outermost first. */
  readonly frames: readonly BodyFrame[];
  /** The top-level phase the node (or its outermost flow node) belongs to. */
  readonly topPhase: DraftPhase | undefined;
}

/** Edges without duplicates: one edge per (from, to), `data` winning over `order`. */
export class EdgeSet {
  readonly #edges = new Map<string, Edge>();

  /** Adds `from → to`; an existing edge is kept (upgraded to `data` when `kind` is data). */
  add(from: string, to: string, kind: EdgeKind): void {
    const key = `${from}\u0000${to}`;
    const existing = this.#edges.get(key);
    if (existing !== undefined && (existing.kind === 'data' || kind === 'order')) return;
    this.#edges.set(key, { from, to, kind });
  }

  /** The kind of the edge `from → to`, or undefined when there is none. */
  kind(from: string, to: string): EdgeKind | undefined {
    return this.#edges.get(`${from}\u0000${to}`)?.kind;
  }

  /** The edges in insertion order (an upgraded edge keeps its first position). */
  list(): Edge[] {
    return [...this.#edges.values()].map((edge) => ({ ...edge }));
  }
}

/**
 * The extra `order` edge needed so that `consumer` can see `producer`'s result: a body node
 * consuming a node from outside its body needs the flow node running that body to wait for
 * the producer. Returns the node that must come after `producer` besides `consumer` (or
 * undefined), and throws when the producer runs per item of a body the consumer is not in.
 */
export function flowDependency(producer: DraftNode, consumer: DraftNode): string | undefined {
  const chain = consumer.frames;
  if (producer.phase?.role !== 'body') return chain[0]?.flowNode;
  const index = chain.findIndex((frame) => frame.phase.id === producer.phase?.id);
  if (index < 0) {
    throw new WritLoreError(
      'invalid-input',
      `node "${consumer.id}" cannot depend on "${producer.id}": it runs inside body phase ` +
        `"${producer.phase.id}", once per item`,
      { hint: 'depend on the flow node (gather, choose) that runs the body instead' },
    );
  }
  return chain[index + 1]?.flowNode;
}

/** Throws when `producer` sits in a later top-level phase than `consumer` (phases run in order). */
export function checkPhaseOrder(producer: DraftNode, consumer: DraftNode): void {
  const before = producer.topPhase;
  const after = consumer.topPhase;
  if (before?.order === undefined || after?.order === undefined) return;
  if (before.role !== 'forward' || after.role !== 'forward') return;
  if (before.order > after.order) {
    throw new WritLoreError(
      'invalid-input',
      `node "${consumer.id}" (phase "${after.id}") cannot depend on "${producer.id}" ` +
        `(phase "${before.id}"): phases run in the order they were opened`,
    );
  }
}

/** A checked copy of a node's annotations (string values only). */
export function copyAnnotations(id: string, annotations: Readonly<Record<string, string>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const key of Object.keys(annotations)) {
    const value = annotations[key];
    if (typeof value !== 'string') {
      throw new WritLoreError('invalid-input', `annotation "${key}" of node "${id}" must be a string`);
    }
    copy[key] = value;
  }
  return copy;
}

/** A checked deep copy of a phase's retry policy. */
export function copyRetry(retry: RetryPolicy, phase: string): RetryPolicy {
  return toJsonValue(retry, `retry of phase "${phase}"`) as unknown as RetryPolicy;
}

/** The implicit phase holding top-level nodes when only flow bodies opened phases. */
export function mainPhase(id: string, nodes: string[]): Phase {
  return { id, name: 'main', status: 'pending', nodes };
}

/**
 * A deep copy of a node's slots. Most values are strings: only objects and arrays go through
 * `structuredClone` (cloning every slot map that way cost ~50 ms per 10k nodes).
 */
function copySlots(slots: Readonly<Record<string, Slot>>): Record<string, Slot> {
  const copy: Record<string, Slot> = {};
  for (const name in slots) {
    const slot = slots[name] as Slot;
    copy[name] = slot.kind === 'immediate' && typeof slot.value === 'object' && slot.value !== null ? structuredClone(slot) : { ...slot };
  }
  return copy;
}

/** The phase as it goes into the graph (`role` omitted when `forward`). */
export function toPhase(draft: DraftPhase): Phase {
  return {
    id: draft.id,
    name: draft.name,
    status: 'pending',
    ...(draft.role === 'forward' ? {} : { role: draft.role }),
    ...(draft.retry === undefined ? {} : { retry: structuredClone(draft.retry) }),
    nodes: [...draft.nodes],
    ...(draft.compensate === undefined ? {} : { compensate: draft.compensate }),
  };
}

/** The node as it goes into the graph: pending, slots deep-copied. */
export function toNode(draft: DraftNode, phase: string | undefined): Node {
  // Fields assigned one by one, not spread: this runs for every node of every graph() call.
  const node: { -readonly [K in keyof Node]: Node[K] } = { id: draft.id, action: draft.action, status: 'pending', slots: copySlots(draft.slots) };
  if (draft.project !== undefined) node.project = draft.project;
  if (draft.layer !== undefined) node.layer = draft.layer;
  if (phase !== undefined) node.phase = phase;
  if (draft.annotations !== undefined) node.annotations = { ...draft.annotations };
  return node;
}
