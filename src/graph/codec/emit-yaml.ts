/**
 * The canonical YAML writer: walks the graph along the schema tables and writes UTF-8 bytes
 * directly (no intermediate tree). Output is a small fixed subset of YAML: block maps and
 * sequences indented by two, plain or double-quoted one-line scalars, `[]`/`{}` for empty
 * collections; no anchors, tags, comments or folding. The JSON writer (`tree.ts` + `print.ts`)
 * is its independent twin; tests check that the `yaml` package reads this output exactly as
 * `JSON.parse` reads that one, and that a plain printer of that tree writes the same bytes.
 *
 * A receipt of 10k nodes is ~300k lines, written mostly before V8 has optimised this code, so
 * each line is kept to two string appends: a cached lead (newline, indentation, `key: ` or
 * `- `) and the value. Every line starts with its newline; the document's first one is cut.
 */
import { WritLoreError, assertNever } from '../errors.js';
import type { Slot } from '../types.js';
import { ByteWriter, pad } from './byte-writer.js';
import { MAX_IMPLICIT_KEY, formatKey, formatNumber, formatString } from './scalar.js';
import { SLOT_KEYS } from './schema.js';
import type { FieldType, ObjectSchema } from './schema.js';

type Record_ = Readonly<Record<string, unknown>>;

/**
 * What comes before a value: a map key or a list dash. `open` is written before a block (a
 * key's block starts on the next line, an item's on the dash's line); `inline` before a
 * one-line value. Both are cached per indentation, starting with the line's newline.
 */
class Lead {
  private readonly openAt: string[] = [];
  private readonly inlineAt: string[] = [];

  constructor(
    readonly open: string,
    readonly inline: string,
  ) {}

  /** The lead before a block, at `indent` or right after a `- ` (`onLine`). */
  opening(indent: number, onLine: boolean): string {
    if (onLine) return this.open;
    return (this.openAt[indent] ??= `\n${pad(indent)}${this.open}`);
  }

  /** The lead before a one-line value. */
  before(indent: number, onLine: boolean): string {
    if (onLine) return this.inline;
    return (this.inlineAt[indent] ??= `\n${pad(indent)}${this.inline}`);
  }
}

/** A key too long to be implicit: `? "…"`, then its `:` on a line of its own (not cached). */
class ExplicitLead extends Lead {
  constructor(private readonly key: string) {
    super('', '');
  }

  override opening(indent: number, onLine: boolean): string {
    return `${onLine ? '' : `\n${pad(indent)}`}? ${this.key}\n${pad(indent)}:`;
  }

  override before(indent: number, onLine: boolean): string {
    return `${this.opening(indent, onLine)} `;
  }
}

const DASH = new Lead('- ', '- ');

function leadOf(key: string): Lead {
  const formatted = formatKey(key);
  return formatted.length > MAX_IMPLICIT_KEY ? new ExplicitLead(formatted) : new Lead(`${formatted}:`, `${formatted}: `);
}

/** Free-form keys repeat across nodes: each is checked and formatted once. */
const LEADS = new Map<string, Lead>();
const MAX_LEADS = 4096;

function keyLead(key: string): Lead {
  let lead = LEADS.get(key);
  if (lead === undefined) {
    lead = leadOf(key);
    if (key.length > 256) return lead;
    if (LEADS.size >= MAX_LEADS) LEADS.clear();
    LEADS.set(key, lead);
  }
  return lead;
}

/** The keys of a free-form map that have a value, sorted (UTF-16 code units), with their leads. */
interface Shape {
  readonly keys: readonly string[];
  readonly leads: readonly Lead[];
}

function shapeOf(sorted: readonly string[]): Shape {
  return { keys: sorted, leads: sorted.map(keyLead) };
}

/**
 * Shapes by first key, for maps whose keys come in the same order: one graph has few shapes,
 * but several may share a first key (`{type}` and `{type, link_target}` in every link's undo
 * state), so each first key keeps a few.
 */
const SHAPES = new Map<string, { readonly keys: readonly string[]; readonly shape: Shape }[]>();
const MAX_SHAPES = 1024;
const SHAPES_PER_KEY = 8;
const EMPTY: Shape = { keys: [], leads: [] };

function definedShape(record: Record_): Shape {
  const keys = Object.keys(record);
  if (keys.length === 0) return EMPTY;
  for (const key of keys) {
    if (record[key] === undefined) return shapeOf(keys.filter((name) => record[name] !== undefined).sort());
  }
  const first = keys[0] as string;
  let known = SHAPES.get(first);
  if (known !== undefined) {
    for (const entry of known) if (sameList(entry.keys, keys)) return entry.shape;
  } else {
    if (SHAPES.size >= MAX_SHAPES) SHAPES.clear();
    SHAPES.set(first, (known = []));
  }
  const shape = shapeOf([...keys].sort());
  if (known.length >= SHAPES_PER_KEY) known.shift();
  known.push({ keys, shape });
  return shape;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** A field of a schema, with its lead. */
interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly lead: Lead;
}

/** A schema's fields in canonical order, listed once per schema. */
const FIELDS = new WeakMap<ObjectSchema, readonly Field[]>();

function fieldsOf(schema: ObjectSchema): readonly Field[] {
  let fields = FIELDS.get(schema);
  if (fields === undefined) {
    fields = Object.entries(schema.fields).map(([name, spec]) => ({ name, type: spec.type, lead: leadOf(name) }));
    FIELDS.set(schema, fields);
  }
  return fields;
}

function hasField(schema: ObjectSchema, value: Record_): boolean {
  for (const key in schema.fields) if (value[key] !== undefined) return true;
  return false;
}

/** The spelling of a JSON scalar, or undefined for a collection. */
function jsonScalar(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return formatString(value);
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return undefined;
    default:
      throw new WritLoreError('invalid-input', `a graph holds a ${typeof value}, which is not JSON data`);
  }
}

const SLOT_LEADS = {
  immediate: leadOf(SLOT_KEYS.immediate),
  nodeRef: leadOf(SLOT_KEYS.nodeRef),
  slot: leadOf(SLOT_KEYS.slot),
  gatherRef: leadOf(SLOT_KEYS.gatherRef),
  field: leadOf(SLOT_KEYS.field),
} as const satisfies Record<keyof typeof SLOT_KEYS, Lead>;

class YamlEmitter {
  constructor(readonly out: ByteWriter) {}

  /** `lead` and a one-line value. */
  private line(lead: Lead, indent: number, onLine: boolean, text: string): void {
    this.out.write(lead.before(indent, onLine) + text);
  }

  /** The fields of `value` that are set, at `indent` (the first one after `- ` when `onLine`). */
  object(schema: ObjectSchema, value: Record_, indent: number, onLine: boolean): void {
    let first = onLine;
    for (const field of fieldsOf(schema)) {
      const item = value[field.name];
      if (item === undefined) continue;
      this.typed(field.type, item, field.lead, indent, first);
      first = false;
    }
  }

  /** A value of `type` after `lead`, which is at `indent`. */
  private typed(type: FieldType, value: unknown, lead: Lead, indent: number, onLine: boolean): void {
    switch (type.kind) {
      case 'string':
      case 'enum':
      case 'duration':
        return this.line(lead, indent, onLine, formatString(value as string));
      case 'integer':
      case 'fraction':
        return this.line(lead, indent, onLine, formatNumber(value as number));
      case 'json':
      case 'string-map':
      case 'count-map':
      case 'json-map':
        return this.json(value, lead, indent, onLine);
      case 'slots':
        return this.slots(value as Record_, lead, indent, onLine);
      case 'list':
        return this.list(type.of, value as readonly unknown[], lead, indent, onLine);
      case 'object':
        if (!hasField(type.schema, value as Record_)) return this.line(lead, indent, onLine, '{}');
        this.out.write(lead.opening(indent, onLine));
        return this.object(type.schema, value as Record_, indent + 2, lead === DASH);
      default:
        return assertNever(type, 'field type');
    }
  }

  private list(type: FieldType, items: readonly unknown[], lead: Lead, indent: number, onLine: boolean): void {
    if (items.length === 0) return this.line(lead, indent, onLine, '[]');
    this.out.write(lead.opening(indent, onLine));
    const isItem = lead === DASH;
    for (let index = 0; index < items.length; index += 1) this.typed(type, items[index], DASH, indent + 2, index === 0 && isItem);
  }

  private slots(slots: Record_, lead: Lead, indent: number, onLine: boolean): void {
    const { keys, leads } = definedShape(slots);
    if (keys.length === 0) return this.line(lead, indent, onLine, '{}');
    this.out.write(lead.opening(indent, onLine));
    const deeper = indent + 2;
    for (let index = 0; index < keys.length; index += 1) {
      this.out.write((leads[index] as Lead).opening(deeper, index === 0 && lead === DASH));
      this.slot(slots[keys[index] as string] as Slot, deeper + 2);
    }
  }

  private slot(slot: Slot, indent: number): void {
    switch (slot.kind) {
      case 'immediate':
        return this.json(slot.value, SLOT_LEADS.immediate, indent, false);
      case 'promise':
        this.line(SLOT_LEADS.nodeRef, indent, false, formatString(slot.node));
        if (slot.slot !== undefined) this.line(SLOT_LEADS.slot, indent, false, formatString(slot.slot));
        return;
      case 'proxy':
        this.line(SLOT_LEADS.gatherRef, indent, false, formatString(slot.gather));
        if (slot.field !== undefined) this.line(SLOT_LEADS.field, indent, false, formatString(slot.field));
        return;
      default:
        return assertNever(slot, 'slot kind');
    }
  }

  /** Free-form JSON after `lead`: a scalar, `[]`/`{}`, or a list or a map with sorted keys. */
  private json(value: unknown, lead: Lead, indent: number, onLine: boolean): void {
    const scalar = jsonScalar(value);
    if (scalar !== undefined) return this.line(lead, indent, onLine, scalar);
    const isItem = lead === DASH;
    if (Array.isArray(value)) {
      if (value.length === 0) return this.line(lead, indent, onLine, '[]');
      this.out.write(lead.opening(indent, onLine));
      for (let index = 0; index < value.length; index += 1) this.json(value[index], DASH, indent + 2, index === 0 && isItem);
      return;
    }
    const record = value as Record_;
    const { keys, leads } = definedShape(record);
    if (keys.length === 0) return this.line(lead, indent, onLine, '{}');
    this.out.write(lead.opening(indent, onLine));
    for (let index = 0; index < keys.length; index += 1) {
      this.json(record[keys[index] as string], leads[index] as Lead, indent + 2, index === 0 && isItem);
    }
  }
}

/** The YAML of an object of `schema` as UTF-8 bytes (the object must have a field). */
export function emitYamlBytes(schema: ObjectSchema, value: object): Buffer {
  return emit(schema, value).bytes().subarray(1);
}

/** {@link emitYamlBytes} as chunks to be concatenated (views: a large document is never copied whole). */
export function emitYamlChunks(schema: ObjectSchema, value: object): Buffer[] {
  const chunks = emit(schema, value).chunks();
  chunks[0] = (chunks[0] as Buffer).subarray(1);
  return chunks;
}

/**
 * {@link emitYamlBytes} handed to `sink` a chunk at a time, each to be used before the sink
 * returns (one buffer is reused): a document of any size costs one chunk of memory.
 */
export function emitYamlTo(schema: ObjectSchema, value: object, sink: (chunk: Buffer) => void): void {
  let isFirst = true;
  const out = emit(schema, value, (chunk) => {
    // Every line began with its newline: the document's first byte is not part of it.
    sink(isFirst ? chunk.subarray(1) : chunk);
    isFirst = false;
  });
  out.end();
}

/** Writes the document; every line began with its newline, so the first byte is not part of it. */
function emit(schema: ObjectSchema, value: object, sink?: (chunk: Buffer) => void): ByteWriter {
  const emitter = new YamlEmitter(new ByteWriter(sink === undefined ? {} : { sink }));
  emitter.object(schema, value as Record_, 0, false);
  emitter.out.write('\n');
  return emitter.out;
}
