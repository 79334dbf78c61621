import { WritLoreError, assertNever } from './errors.js';
import type { Node, Slot } from './types.js';

/** Reads `field` of a producer's result or a gather item (own property of an object, or Map key). */
function readField(value: unknown, field: string, where: string, what: string): unknown {
  if (value instanceof Map) {
    if (value.has(field)) return value.get(field) as unknown;
  } else if (typeof value === 'object' && value !== null) {
    if (Object.hasOwn(value, field)) return (value as Record<string, unknown>)[field];
  } else {
    throw new WritLoreError(
      'invalid-slot',
      `${where}: ${what} is ${describe(value)}, not an object with field "${field}"`,
    );
  }
  throw new WritLoreError('invalid-slot', `${where}: ${what} has no field "${field}"`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}

function resolveSlot(
  where: string,
  slot: Slot,
  results: ReadonlyMap<string, unknown>,
  proxyItems: ReadonlyMap<string, unknown> | undefined,
): unknown {
  switch (slot.kind) {
    case 'immediate':
      return slot.value;
    case 'promise': {
      if (!results.has(slot.node)) {
        throw new WritLoreError('invalid-slot', `${where}: node "${slot.node}" has no result`);
      }
      const result = results.get(slot.node);
      if (slot.slot === undefined) return result;
      return readField(result, slot.slot, where, `the result of node "${slot.node}"`);
    }
    case 'proxy': {
      if (proxyItems === undefined || !proxyItems.has(slot.gather)) {
        throw new WritLoreError(
          'invalid-slot',
          `${where}: proxy of gather "${slot.gather}" used outside that gather (no current item)`,
        );
      }
      const item = proxyItems.get(slot.gather);
      if (slot.field === undefined) return item;
      return readField(item, slot.field, where, `the current item of gather "${slot.gather}"`);
    }
    default:
      return assertNever(slot satisfies never, 'slot');
  }
}

/**
 * The values of a node's slots for one call: immediates as they are, promises from `results`
 * (keyed by producer id; the whole result, or its field `slot`), proxies from `proxyItems`
 * (keyed by gather id; the current item, or its `field`). An unresolvable promise or proxy
 * throws `invalid-slot` naming the node and slot.
 */
export function resolveSlots(
  node: Node,
  results: ReadonlyMap<string, unknown>,
  proxyItems?: ReadonlyMap<string, unknown>,
): Record<string, unknown> {
  // This runs for every node of a run: immediates (most slots) are taken as they are, and a
  // slot named "__proto__" is defined as an own property, so it stays plain data.
  const resolved: Record<string, unknown> = {};
  for (const name of Object.keys(node.slots)) {
    const slot = node.slots[name] as Slot;
    const value = slot.kind === 'immediate' ? slot.value : resolveSlot(`node "${node.id}" slot "${name}"`, slot, results, proxyItems);
    if (name === '__proto__') Object.defineProperty(resolved, name, { value, enumerable: true, writable: true, configurable: true });
    else resolved[name] = value;
  }
  return resolved;
}

/**
 * A copy of `resolved` where each slot of `names` that is unset (absent or `undefined`) is
 * taken from the run `data`, when `data` has it. Slots the node sets always win. When there is
 * nothing to fill, `resolved` itself is returned (callers pass a fresh object).
 */
export function fillSlotsFromData(
  resolved: Record<string, unknown>,
  data: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> {
  // Most nodes set every slot they use: then nothing is copied (this runs for every node).
  let filled: Map<string, unknown> | undefined;
  for (const name of names) {
    if (!Object.hasOwn(data, name)) continue;
    const own = filled !== undefined ? filled.get(name) : Object.hasOwn(resolved, name) ? resolved[name] : undefined;
    if (own !== undefined) continue;
    filled ??= new Map(Object.entries(resolved));
    filled.set(name, data[name]);
  }
  return filled === undefined ? resolved : Object.fromEntries(filled);
}
