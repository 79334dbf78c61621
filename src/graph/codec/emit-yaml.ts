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
import type { FieldType, ObjectSchema } from './schema.js';

type Record_ = Readonly<Record<string, unknown>>;

/** Keys of a free-form map with a defined value, sorted (UTF-16 code units). */
function definedKeys(record: Record_): string[] {
  return Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
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

class YamlEmitter {
  readonly out = new ByteWriter();

  /** Starts a map entry: indentation (unless continuing a `- ` line) and `key:`. */
  private key(key: string, indent: number, onLine: boolean): void {
    if (!onLine) this.out.write(pad(indent));
    const text = formatKey(key);
    this.out.write(text.length <= MAX_IMPLICIT_KEY ? `${text}:` : `? ${text}\n${pad(indent)}:`);
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
    for (const key in schema.fields) {
      const item = value[key];
      const field = schema.fields[key];
      if (item === undefined || field === undefined) continue;
      this.key(key, indent, first);
      first = false;
      this.after(inlineField(field.type, item), indent, (deeper) => this.block(field.type, item, deeper, false));
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
      this.after(inlineJson(item), indent, (deeper) => this.json(item, deeper, false));
    }
  }
}

/** The YAML of an object of `schema` as UTF-8 bytes (the object must have a field). */
export function emitYamlBytes(schema: ObjectSchema, value: object): Buffer {
  const emitter = new YamlEmitter();
  emitter.object(schema, value as Record_, 0, false);
  return emitter.out.bytes();
}
