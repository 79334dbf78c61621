import { WritLoreError, immediate, promise, proxy } from '../graph/index.js';
import type { JsonValue, Slot } from '../graph/index.js';
import { ItemField, ItemHandle, NodeField, NodeHandle, isSlotReference } from './handles.js';
import type { SlotInput, SlotReference } from './handles.js';

/** A slot made from an input, with the node or gather it refers to. */
export type ConvertedSlot =
  | { readonly kind: 'immediate'; readonly slot: Slot }
  | { readonly kind: 'promise'; readonly slot: Slot; readonly handle: NodeHandle }
  | { readonly kind: 'proxy'; readonly slot: Slot; readonly item: ItemHandle };

/** Turns a builder input into a slot. `where` names the slot in error messages. */
export function toSlot(input: SlotInput, where: string): ConvertedSlot {
  if (input instanceof NodeHandle) {
    return { kind: 'promise', slot: promise(input.id), handle: input };
  }
  if (input instanceof NodeField) {
    return { kind: 'promise', slot: promise(input.node.id, input.name), handle: input.node };
  }
  if (input instanceof ItemHandle) {
    return { kind: 'proxy', slot: proxy(input.gather), item: input };
  }
  if (input instanceof ItemField) {
    return { kind: 'proxy', slot: proxy(input.item.gather, input.name), item: input.item };
  }
  return { kind: 'immediate', slot: immediate(toJsonValue(input, where)) };
}

function invalid(where: string, problem: string, hint?: string): WritLoreError {
  const message = `slot ${where} ${problem}`;
  return new WritLoreError('invalid-input', message, hint === undefined ? {} : { hint });
}

/**
 * A deep copy of `value` checked to be plain JSON, so that what the graph records is exactly
 * what runs: no `undefined`, no NaN, no bytes, no class instances, no nested handles.
 */
export function toJsonValue(value: unknown, where: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(where, `holds ${value}, which is not JSON`);
    return value;
  }
  if (value === undefined) throw invalid(where, 'holds undefined, which is not JSON');
  if (isSlotReference(value)) {
    throw invalid(where, 'holds a handle inside a value', 'a handle must be a whole slot value');
  }
  if (value instanceof Uint8Array) {
    throw invalid(where, 'holds bytes', 'bytes never enter a graph: pass a promise or a path');
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return items.map((item, index) => toJsonValue(item, `${where}[${index}]`));
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const copy: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key from parsed JSON must stay data.
      const entry = toJsonValue(item, `${where}.${key}`);
      Object.defineProperty(copy, key, { value: entry, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  throw invalid(where, `holds a ${describe(value)}, which is not JSON`);
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor.name || 'object';
  return typeof value;
}

const KEY_LIMIT = 80;

/**
 * The readable part of a derived node id for `input`: a string as-is, a string array joined
 * with `separator`, a handle's id, `<gather>.item[.field]` for gather items; undefined when
 * the input has no short readable form.
 */
export function keyText(input: SlotInput | undefined, separator = ','): string | undefined {
  const text = rawKeyText(input, separator);
  if (text === undefined || text === '') return undefined;
  return text.length > KEY_LIMIT ? `${text.slice(0, KEY_LIMIT - 3)}...` : text;
}

function rawKeyText(input: SlotInput | undefined, separator: string): string | undefined {
  if (input instanceof NodeHandle) return input.id;
  if (input instanceof NodeField) return `${input.node.id}.${input.name}`;
  if (input instanceof ItemHandle) return `${input.gather}.item`;
  if (input instanceof ItemField) return `${input.item.gather}.item.${input.name}`;
  if (typeof input === 'string') return input;
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) {
    return input.join(separator);
  }
  return undefined;
}

/** A file mode input as an octal string: `0o644` → `"0644"`, `"755"` → `"0755"`. */
export function normaliseMode(
  mode: string | number | SlotReference | undefined,
  where: string,
): SlotInput | undefined {
  if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
      throw invalid(where, `holds ${mode}, which is not a file mode`);
    }
    return mode.toString(8).padStart(4, '0');
  }
  if (typeof mode === 'string') {
    if (!/^[0-7]{3,4}$/.test(mode)) {
      throw invalid(where, `holds "${mode}", which is not an octal mode such as "0644"`);
    }
    return mode.padStart(4, '0');
  }
  return mode;
}

/** The `on_conflict` slot input, when the caller chose one. */
export function conflictInput(onConflict: SlotInput | undefined): { on_conflict?: SlotInput } {
  return onConflict === undefined ? {} : { on_conflict: onConflict };
}

/**
 * Whether an input given to `copy`/`render` is content rather than a path: `as` when given,
 * else true for node results (handles and their fields) and false for strings and items.
 */
export function isContentReference(input: SlotInput, as: 'source' | 'content' | undefined): boolean {
  if (as !== undefined) return as === 'content';
  return input instanceof NodeHandle || input instanceof NodeField;
}
