import type { JsonValue, PhaseRole } from '../graph/index.js';

/**
 * Handles returned by the {@link Plan} builder. Passing a handle where a value is expected
 * turns the slot into a promise (node handles) or a proxy (gather item handles), and the
 * builder adds the matching edge. A handle belongs to the plan that made it.
 */

/** A node added to a plan; pass it as an input to consume the node's whole result. */
export class NodeHandle {
  readonly id: string;
  readonly action: string;
  readonly #owner: object;

  /** Made by the builder only. */
  constructor(id: string, action: string, owner: object) {
    this.id = id;
    this.action = action;
    this.#owner = owner;
  }

  /** A promise of the field `name` of this node's result (e.g. `download.field('path')`). */
  field(name: string): NodeField {
    return new NodeField(this, name);
  }

  /** Whether this handle was made by the plan identified by `owner`. */
  belongsTo(owner: object): boolean {
    return this.#owner === owner;
  }

  /** The node id. */
  toString(): string {
    return this.id;
  }
}

/** One field of a node's result, made by {@link NodeHandle.field}. */
export class NodeField {
  readonly node: NodeHandle;
  readonly name: string;

  /** Made by {@link NodeHandle.field}. */
  constructor(node: NodeHandle, name: string) {
    this.node = node;
    this.name = name;
  }
}

/** The current item of a gather, inside its body; pass it to bind a slot to the item. */
export class ItemHandle {
  /** The id of the gather node whose item this is. */
  readonly gather: string;
  readonly #owner: object;

  /** Made by the builder only. */
  constructor(gather: string, owner: object) {
    this.gather = gather;
    this.#owner = owner;
  }

  /** A proxy to the field `name` of the current item (`item.field('target')`). */
  field(name: string): ItemField {
    return new ItemField(this, name);
  }

  /** Whether this handle was made by the plan identified by `owner`. */
  belongsTo(owner: object): boolean {
    return this.#owner === owner;
  }
}

/** One field of the current gather item, made by {@link ItemHandle.field}. */
export class ItemField {
  readonly item: ItemHandle;
  readonly name: string;

  /** Made by {@link ItemHandle.field}. */
  constructor(item: ItemHandle, name: string) {
    this.item = item;
    this.name = name;
  }
}

/** A phase opened on a plan; pass it (or its id) as another phase's `compensate`. */
export interface PhaseHandle {
  readonly id: string;
  readonly name: string;
  readonly role: PhaseRole;
}

/** Anything that makes a slot a promise or a proxy instead of an immediate value. */
export type SlotReference = NodeHandle | NodeField | ItemHandle | ItemField;

/** A slot input: a plain JSON value (immediate) or a reference. */
export type SlotInput = JsonValue | SlotReference;

/** A slot input whose plain form must be `T`. */
export type Input<T extends JsonValue> = T | SlotReference;

/** True when `value` is a handle or a field of one. */
export function isSlotReference(value: unknown): value is SlotReference {
  return (
    value instanceof NodeHandle ||
    value instanceof NodeField ||
    value instanceof ItemHandle ||
    value instanceof ItemField
  );
}
