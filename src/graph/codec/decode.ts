/**
 * Plain data → Graph, validated against the schema tables of `schema.ts`: unknown keys (with a
 * did-you-mean), missing required keys, wrong types and enum values, malformed slots. Builds
 * fresh objects holding only known keys, so what is returned is exactly what was checked.
 */
import { assertNever } from '../errors.js';
import { isDuration } from '../duration.js';
import { GRAPH_FORMAT_VERSION } from '../types.js';
import type { Graph, JsonValue, Slot } from '../types.js';
import { GRAPH_SCHEMA, SLOT_KEYS } from './schema.js';
import type { FieldType, ObjectSchema } from './schema.js';
import { didYouMean } from '../suggest.js';
import type { Target } from './yaml-read.js';

/** A path into the document: map keys and sequence indices. */
export type DataPath = readonly (string | number)[];

/** Reports a violation at `path` (the caller turns it into a located WritLoreError). */
export type Fail = (path: DataPath, target: Target, message: string) => never;

type Record_ = Readonly<Record<string, unknown>>;

/** `nodes[3].slots.path`, or `graph` for the root. */
export function pathText(path: DataPath): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text === '' ? 'graph' : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function isRecord(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wrongType(fail: Fail, path: DataPath, expected: string, value: unknown): never {
  return fail(path, 'value', `wrong type for ${pathText(path)}: expected ${expected}, got ${describe(value)}`);
}

function expectRecord(value: unknown, path: DataPath, fail: Fail): Record_ {
  return isRecord(value) ? value : wrongType(fail, path, 'a map', value);
}

function decodeEntries(value: unknown, path: DataPath, fail: Fail, check: (item: unknown, at: DataPath) => unknown): object {
  const record = expectRecord(value, path, fail);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(record)) result[key] = check(record[key], [...path, key]);
  return result;
}

function decodeSlot(value: unknown, path: DataPath, fail: Fail): Slot {
  const record = expectRecord(value, path, fail);
  const allowed: readonly string[] = Object.values(SLOT_KEYS);
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) fail([...path, key], 'key', `unknown key "${key}" in slot ${pathText(path)}${didYouMean(key, allowed)}`);
  }
  const kinds = [SLOT_KEYS.immediate, SLOT_KEYS.nodeRef, SLOT_KEYS.gatherRef].filter((key) => Object.hasOwn(record, key));
  const [kind] = kinds;
  if (kind === undefined || kinds.length > 1) {
    const found = kinds.length === 0 ? 'none' : kinds.join(' and ');
    return fail(path, 'value', `slot ${pathText(path)} must have exactly one of immediate, node_ref, gather_ref (found ${found})`);
  }
  const text = (key: string): string | undefined => {
    const item = record[key];
    if (item === undefined) return undefined;
    return typeof item === 'string' ? item : wrongType(fail, [...path, key], 'a string', item);
  };
  const stray = (key: string, owner: string): void => {
    if (Object.hasOwn(record, key)) fail([...path, key], 'key', `"${key}" in slot ${pathText(path)} only goes with ${owner}`);
  };
  if (kind === SLOT_KEYS.immediate) {
    stray(SLOT_KEYS.slot, SLOT_KEYS.nodeRef);
    stray(SLOT_KEYS.field, SLOT_KEYS.gatherRef);
    return { kind: 'immediate', value: record[kind] as JsonValue };
  }
  if (kind === SLOT_KEYS.nodeRef) {
    stray(SLOT_KEYS.field, SLOT_KEYS.gatherRef);
    const node = text(kind) ?? '';
    const slot = text(SLOT_KEYS.slot);
    return slot === undefined ? { kind: 'promise', node } : { kind: 'promise', node, slot };
  }
  stray(SLOT_KEYS.slot, SLOT_KEYS.nodeRef);
  const gather = text(kind) ?? '';
  const field = text(SLOT_KEYS.field);
  return field === undefined ? { kind: 'proxy', gather } : { kind: 'proxy', gather, field };
}

function decodeCount(value: unknown, path: DataPath, fail: Fail, keys?: readonly string[]): unknown {
  const key = path[path.length - 1];
  if (keys !== undefined && typeof key === 'string' && !keys.includes(key)) {
    fail(path, 'key', `unknown key "${key}" in ${pathText(path.slice(0, -1))}${didYouMean(key, keys)}`);
  }
  return Number.isInteger(value) && (value as number) >= 0 ? value : wrongType(fail, path, 'a whole number ≥ 0', value);
}

function decodeField(type: FieldType, value: unknown, path: DataPath, fail: Fail): unknown {
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? value : wrongType(fail, path, 'a string', value);
    case 'enum':
      return typeof value === 'string' && type.values.includes(value) ? value : wrongType(fail, path, `one of ${type.values.join(', ')}`, value);
    case 'integer':
      return Number.isInteger(value) && (value as number) >= type.min ? value : wrongType(fail, path, `a whole number ≥ ${type.min}`, value);
    case 'fraction':
      return typeof value === 'number' && value >= 0 && value <= 1 ? value : wrongType(fail, path, 'a number from 0 to 1', value);
    case 'duration':
      return typeof value === 'string' && isDuration(value) ? value : wrongType(fail, path, 'a duration such as 500ms or 1m30s', value);
    case 'json':
      return value;
    case 'json-map':
      return decodeEntries(value, path, fail, (item) => item);
    case 'string-map':
      return decodeEntries(value, path, fail, (item, at) => decodeField({ kind: 'string' }, item, at, fail));
    case 'count-map':
      return decodeEntries(value, path, fail, (item, at) => decodeCount(item, at, fail, type.keys));
    case 'slots':
      return decodeEntries(value, path, fail, (item, at) => decodeSlot(item, at, fail));
    case 'list':
      if (!Array.isArray(value)) return wrongType(fail, path, 'a list', value);
      return value.map((item: unknown, index) => decodeField(type.of, item, [...path, index], fail));
    case 'object':
      return decodeObject(type.schema, value, path, fail);
    default:
      return assertNever(type, 'field type');
  }
}

function decodeObject(schema: ObjectSchema, value: unknown, path: DataPath, fail: Fail): object {
  const record = expectRecord(value, path, fail);
  const where = path.length === 0 ? schema.name : `${schema.name} ${pathText(path)}`;
  const known = Object.keys(schema.fields);
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(schema.fields, key)) fail([...path, key], 'key', `unknown key "${key}" in ${where}${didYouMean(key, known)}`);
  }
  const result: Record<string, unknown> = {};
  for (const key of known) {
    const field = schema.fields[key];
    const item = record[key];
    if (field === undefined) continue;
    if (item === undefined) {
      if (field.required) fail(path, 'value', `missing required key "${key}" in ${where}`);
      continue;
    }
    result[key] = decodeField(field.type, item, [...path, key], fail);
  }
  return result;
}

/** Checks plain data against the graph schema and returns it as a {@link Graph}. */
export function decodeGraph(value: unknown, fail: Fail): Graph {
  const graph = decodeObject(GRAPH_SCHEMA, value, [], fail) as Graph;
  if (graph.version !== GRAPH_FORMAT_VERSION) {
    fail(['version'], 'value', `unsupported graph version ${JSON.stringify(graph.version)} (this build reads version "${GRAPH_FORMAT_VERSION}")`);
  }
  return graph;
}
