/**
 * Graph → ordered tree for the JSON writer (the YAML writer walks the schema directly).
 * Maps are `Map`s so that insertion order is kept even for integer-like keys; schema objects
 * follow their table's order, free-form maps are sorted by key (UTF-16 code units).
 */
import { WritLoreError, assertNever } from '../errors.js';
import type { JsonValue, Slot } from '../types.js';
import { GRAPH_SCHEMA, SLOT_KEYS } from './schema.js';
import type { FieldType, ObjectSchema } from './schema.js';

/** A JSON value whose objects are ordered maps: what the YAML and JSON printers print. */
export type Tree = null | boolean | number | string | readonly Tree[] | ReadonlyMap<string, Tree>;

function sortedKeys(record: object): string[] {
  return Object.keys(record).sort();
}

function jsonToTree(value: JsonValue | undefined, where: string): Tree {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map((item) => jsonToTree(item, where));
  if (typeof value === 'object') {
    const record = value as Readonly<Record<string, JsonValue>>;
    const map = new Map<string, Tree>();
    for (const key of sortedKeys(record)) {
      // Like JSON.stringify (and the YAML writer), an undefined member is simply absent.
      if (record[key] !== undefined) map.set(key, jsonToTree(record[key], where));
    }
    return map;
  }
  throw new WritLoreError('invalid-input', `${where} holds a ${typeof value}, which is not JSON data`);
}

function slotToTree(slot: Slot): Tree {
  switch (slot.kind) {
    case 'immediate':
      return new Map([[SLOT_KEYS.immediate, jsonToTree(slot.value, 'a slot')]]);
    case 'promise': {
      const map = new Map<string, Tree>([[SLOT_KEYS.nodeRef, slot.node]]);
      if (slot.slot !== undefined) map.set(SLOT_KEYS.slot, slot.slot);
      return map;
    }
    case 'proxy': {
      const map = new Map<string, Tree>([[SLOT_KEYS.gatherRef, slot.gather]]);
      if (slot.field !== undefined) map.set(SLOT_KEYS.field, slot.field);
      return map;
    }
    default:
      return assertNever(slot, 'slot kind');
  }
}

function recordToTree(record: object, toValue: (value: never) => Tree): Tree {
  const source = record as Readonly<Record<string, never>>;
  const map = new Map<string, Tree>();
  for (const key of sortedKeys(source)) {
    const value = source[key];
    if (value !== undefined) map.set(key, toValue(value));
  }
  return map;
}

function fieldToTree(type: FieldType, value: unknown, key: string): Tree {
  switch (type.kind) {
    case 'string':
    case 'enum':
    case 'duration':
    case 'integer':
    case 'fraction':
      return value as string | number;
    case 'json':
      return jsonToTree(value as JsonValue, `"${key}"`);
    case 'string-map':
    case 'count-map':
      return recordToTree(value as object, (item: string | number) => item);
    case 'json-map':
      return recordToTree(value as object, (item: JsonValue) => jsonToTree(item, `"${key}"`));
    case 'slots':
      return recordToTree(value as object, slotToTree);
    case 'list':
      return (value as readonly unknown[]).map((item) => fieldToTree(type.of, item, key));
    case 'object':
      return objectToTree(type.schema, value as object);
    default:
      return assertNever(type, 'field type');
  }
}

/** An object of a schema type, keys in table order, absent optional fields omitted. */
export function objectToTree(schema: ObjectSchema, value: object): ReadonlyMap<string, Tree> {
  const source = value as Readonly<Record<string, unknown>>;
  const map = new Map<string, Tree>();
  for (const key in schema.fields) {
    const field = schema.fields[key];
    const fieldValue = source[key];
    if (field === undefined || fieldValue === undefined) continue;
    map.set(key, fieldToTree(field.type, fieldValue, key));
  }
  return map;
}

/** The whole graph as an ordered tree. */
export function graphToTree(graph: object): ReadonlyMap<string, Tree> {
  return objectToTree(GRAPH_SCHEMA, graph);
}
