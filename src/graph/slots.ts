import type { ImmediateSlot, JsonValue, PromiseSlot, ProxySlot } from './types.js';

/** A slot holding a value known at plan time. */
export function immediate(value: JsonValue): ImmediateSlot {
  return { kind: 'immediate', value };
}

/** A slot promising the result of node `node` (or the field `slot` of that result). */
export function promise(node: string, slot?: string): PromiseSlot {
  return slot === undefined ? { kind: 'promise', node } : { kind: 'promise', node, slot };
}

/** A slot bound to the current item of gather node `gather` (or the item's `field`). */
export function proxy(gather: string, field?: string): ProxySlot {
  return field === undefined ? { kind: 'proxy', gather } : { kind: 'proxy', gather, field };
}
