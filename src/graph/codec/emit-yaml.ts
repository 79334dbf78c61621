/**
 * The canonical YAML writer: walks the graph along the schema tables and writes UTF-8 bytes
 * directly (no intermediate tree: a 10k-node graph allocates little and takes a few tens of
 * ms). Output is a small fixed subset of YAML: block maps and sequences indented by two,
 * plain or double-quoted one-line scalars, `[]`/`{}` for empty collections; no anchors, tags,
 * comments or folding. The JSON writer (`tree.ts` + `print.ts`) is its independent twin; tests
 * check that the `yaml` package reads this output exactly as `JSON.parse` reads that one.
 */
import { WritLoreError, assertNever } from '../errors.js';
import type { Slot } from '../types.js';
import { ByteWriter, pad } from './byte-writer.js';
import { MAX_IMPLICIT_KEY, formatKey, formatNumber, formatString } from './scalar.js';
import { SLOT_KEYS } from './schema.js';
import type { FieldSpec, FieldType, ObjectSchema } from './schema.js';

type Record_ = Readonly<Record<string, unknown>>;

/** Keys of a free-form map with a defined value, sorted (UTF-16 code units). */
function definedKeys(record: Record_): readonly string[] {
  const keys = Object.keys(record);
  for (const key of keys) {
    if (record[key] === undefined) return keys.filter((name) => record[name] !== undefined).sort();
  }
  return sortedKeys(keys);
}

/** Sorted key lists by first key: maps of one graph mostly share a few shapes (slots, undo states). */
const SHAPES = new Map<string, { readonly keys: readonly string[]; readonly sorted: readonly string[] }>();
const MAX_SHAPES = 1024;

/** `keys` sorted; a list seen before (same keys, same order) reuses its sorted copy. */
function sortedKeys(keys: string[]): readonly string[] {
  if (keys.length < 2) return keys;
  const first = keys[0] as string;
  const known = SHAPES.get(first);
  if (known !== undefined && sameList(known.keys, keys)) return known.sorted;
  const sorted = [...keys].sort();
  if (SHAPES.size >= MAX_SHAPES) SHAPES.clear();
  SHAPES.set(first, { keys, sorted });
  return sorted;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** `key:` as written (keys repeat across nodes: each is checked and formatted once). */
const KEY_TEXT = new Map<string, string>();
const MAX_KEY_TEXTS = 4096;

function keyText(key: string): string {
  let text = KEY_TEXT.get(key);
  if (text === undefined) {
    const formatted = formatKey(key);
    text = formatted.length <= MAX_IMPLICIT_KEY ? `${formatted}:` : `? ${formatted}\n`;
    if (key.length > 256) return text;
    if (KEY_TEXT.size >= MAX_KEY_TEXTS) KEY_TEXT.clear();
    KEY_TEXT.set(key, text);
  }
  return text;
}

function hasField(schema: ObjectSchema, value: Record_): boolean {
  for (const key in schema.fields) if (value[key] !== undefined) return true;
  return false;
}

/** The one-line spelling of a JSON scalar or empty collection, or undefined for a block. */
function inlineJson(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return formatString(value);
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
      return definedKeys(value as Record_).length === 0 ? '{}' : undefined;
    default:
      throw new WritLoreError('invalid-input', `a graph holds a ${typeof value}, which is not JSON data`);
  }
}

function inlineField(type: FieldType, value: unknown): string | undefined {
  switch (type.kind) {
    case 'string':
    case 'enum':
    case 'duration':
      return formatString(value as string);
    case 'integer':
    case 'fraction':
      return formatNumber(value as number);
    case 'json':
      return inlineJson(value);
    case 'string-map':
    case 'count-map':
    case 'json-map':
    case 'slots':
      return definedKeys(value as Record_).length === 0 ? '{}' : undefined;
    case 'list':
      return (value as readonly unknown[]).length === 0 ? '[]' : undefined;
    case 'object':
      return hasField(type.schema, value as Record_) ? undefined : '{}';
    default:
      return assertNever(type, 'field type');
  }
}

/** `indent` spaces then `text` (the spelling of `key`), cached per indentation level. */
const INDENTED: Map<string, string>[] = [];

function indented(indent: number, key: string, text: string): string {
  let byKey = INDENTED[indent];
  if (byKey === undefined) INDENTED[indent] = byKey = new Map();
  let line = byKey.get(key);
  if (line === undefined) {
    line = pad(indent) + text;
    if (key.length > 256) return line;
    if (byKey.size >= MAX_KEY_TEXTS) byKey.clear();
    byKey.set(key, line);
  }
  return line;
}

/** A schema's fields in canonical order, listed once per schema. */
const FIELDS = new WeakMap<ObjectSchema, readonly (readonly [string, FieldSpec])[]>();

function fieldsOf(schema: ObjectSchema): readonly (readonly [string, FieldSpec])[] {
  let fields = FIELDS.get(schema);
  if (fields === undefined) {
    fields = Object.entries(schema.fields);
    FIELDS.set(schema, fields);
  }
  return fields;
}

class YamlEmitter {
  readonly out = new ByteWriter();

  /** Starts a map entry: indentation (unless continuing a `- ` line) and `key:`. */
  private key(key: string, indent: number, onLine: boolean): void {
    const text = keyText(key);
    this.out.write(onLine ? text : indented(indent, key, text));
    // An explicit key (`? "…"` on its own line) is followed by its `:` on the next.
    if (text.charCodeAt(0) === 63) this.out.write(`${pad(indent)}:`);
  }

  /** After `key:`: the inline value, or a newline and the block one level deeper. */
  private after(inline: string | undefined, indent: number, block: (indent: number) => void): void {
    if (inline !== undefined) {
      this.out.write(` ${inline}\n`);
      return;
    }
    this.out.write('\n');
    block(indent + 2);
  }

  object(schema: ObjectSchema, value: Record_, indent: number, onLine: boolean): void {
    let first = onLine;
    for (const [key, field] of fieldsOf(schema)) {
      const item = value[key];
      if (item === undefined) continue;
      this.key(key, indent, first);
      first = false;
      const inline = inlineField(field.type, item);
      if (inline === undefined) {
        this.out.write('\n');
        this.block(field.type, item, indent + 2, false);
      } else this.out.write(` ${inline}\n`);
    }
  }

  /** A value that needs a block (never a scalar), starting at `indent`. */
  block(type: FieldType, value: unknown, indent: number, onLine: boolean): void {
    switch (type.kind) {
      case 'json':
        return this.json(value, indent, onLine);
      case 'string-map':
      case 'count-map':
      case 'json-map':
        return this.json(value, indent, onLine);
      case 'slots':
        return this.record(value as Record_, indent, onLine, (slot, deeper, continued) => this.slot(slot as Slot, deeper, continued));
      case 'list':
        return this.list(value as readonly unknown[], indent, onLine, (item) => inlineField(type.of, item), (item, deeper) =>
          this.block(type.of, item, deeper, true),
        );
      case 'object':
        return this.object(type.schema, value as Record_, indent, onLine);
      case 'string':
      case 'enum':
      case 'duration':
      case 'integer':
      case 'fraction':
        throw new WritLoreError('internal', `a ${type.kind} is never written as a block`);
      default:
        return assertNever(type, 'field type');
    }
  }

  private record(value: Record_, indent: number, onLine: boolean, write: (item: unknown, indent: number, onLine: boolean) => void): void {
    let first = onLine;
    for (const key of definedKeys(value)) {
      this.key(key, indent, first);
      first = false;
      this.out.write('\n');
      write(value[key], indent + 2, false);
    }
  }

  private slot(slot: Slot, indent: number, onLine: boolean): void {
    const entry = (key: string, text: string | undefined, first: boolean): void => {
      if (text === undefined) return;
      this.key(key, indent, first && onLine);
      this.out.write(` ${formatString(text)}\n`);
    };
    switch (slot.kind) {
      case 'immediate':
        this.key(SLOT_KEYS.immediate, indent, onLine);
        return this.after(inlineJson(slot.value), indent, (deeper) => this.json(slot.value, deeper, false));
      case 'promise':
        entry(SLOT_KEYS.nodeRef, slot.node, true);
        return entry(SLOT_KEYS.slot, slot.slot, false);
      case 'proxy':
        entry(SLOT_KEYS.gatherRef, slot.gather, true);
        return entry(SLOT_KEYS.field, slot.field, false);
      default:
        return assertNever(slot, 'slot kind');
    }
  }

  private list(
    items: readonly unknown[],
    indent: number,
    onLine: boolean,
    inline: (item: unknown) => string | undefined,
    block: (item: unknown, indent: number) => void,
  ): void {
    let first = onLine;
    for (const item of items) {
      this.out.write(first ? '- ' : `${pad(indent)}- `);
      first = false;
      const text = inline(item);
      if (text === undefined) block(item, indent + 2);
      else this.out.write(`${text}\n`);
    }
  }

  /** Free-form JSON that needs a block: a non-empty list, or a map with sorted keys. */
  json(value: unknown, indent: number, onLine: boolean): void {
    if (Array.isArray(value)) {
      this.list(value, indent, onLine, inlineJson, (item, deeper) => this.json(item, deeper, true));
      return;
    }
    const record = value as Record_;
    let first = onLine;
    for (const key of definedKeys(record)) {
      const item = record[key];
      this.key(key, indent, first);
      first = false;
      const inline = inlineJson(item);
      if (inline === undefined) {
        this.out.write('\n');
        this.json(item, indent + 2, false);
      } else this.out.write(` ${inline}\n`);
    }
  }
}

/** The YAML of an object of `schema` as UTF-8 bytes (the object must have a field). */
export function emitYamlBytes(schema: ObjectSchema, value: object): Buffer {
  const emitter = new YamlEmitter();
  emitter.object(schema, value as Record_, 0, false);
  return emitter.out.bytes();
}
