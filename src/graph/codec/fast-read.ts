/**
 * A fast reader for exactly the YAML subset the canonical writer produces (block maps and
 * sequences indented by two, one-line plain or double-quoted scalars, `[]`, `{}`). The `yaml`
 * package needs ~1 s for a 10k-node graph on a 2-core machine; this needs a few tens of ms.
 * Anything outside the subset makes it give up (return undefined) and the caller falls back
 * to the `yaml` package, which also produces the located error messages. On what it accepts it
 * must agree with the `yaml` package (property-tested), and in any case integrity covers the
 * data as interpreted, so a disagreement could never make an altered document verify.
 */
import { CANONICAL_NUMBER, isPlainKey, isPlainSafe } from './scalar.js';

/** Raw characters the writer always escapes (lone surrogates included): "not canonical". */
const UNSAFE_RAW =
  /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Thrown internally to abandon the fast path; never escapes this module. */
class NotCanonical {}
const GIVE_UP = new NotCanonical();

function indentOf(text: string): number {
  let index = 0;
  while (text.charCodeAt(index) === 32) index += 1;
  return index;
}

/** The end (exclusive) of the double-quoted scalar starting at `start`. */
function quotedEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (char === 92) index += 1;
    else if (char === 34) return index + 1;
  }
  throw GIVE_UP;
}

function unquote(token: string): string {
  if (UNSAFE_RAW.test(token)) throw GIVE_UP;
  try {
    return JSON.parse(token) as string;
  } catch (error) {
    // Not JSON-compatible: leave it to the full YAML parser, which reports it with its line.
    if (error instanceof SyntaxError) throw GIVE_UP;
    throw error;
  }
}

function scalar(token: string): unknown {
  if (token.charCodeAt(0) === 34) {
    if (quotedEnd(token, 0) !== token.length) throw GIVE_UP;
    return unquote(token);
  }
  if (token === '[]') return [];
  if (token === '{}') return {};
  if (token === 'null') return null;
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (CANONICAL_NUMBER.test(token)) {
    const value = Number(token);
    if (!Number.isFinite(value)) throw GIVE_UP;
    return value;
  }
  if (isPlainSafe(token)) return token;
  throw GIVE_UP;
}

class Reader {
  private index = 0;
  constructor(private readonly lines: readonly string[]) {}

  readDocument(): unknown {
    const first = this.lines[0];
    if (first === undefined || indentOf(first) !== 0 || this.keyAt(first, 0) === undefined) throw GIVE_UP;
    const value = this.readMap(0);
    if (this.index !== this.lines.length) throw GIVE_UP;
    return value;
  }

  /** The key starting at `col` and the index just past its `:`, or undefined if no key. */
  private keyAt(text: string, col: number): { key: string; after: number } | undefined {
    if (text.charCodeAt(col) === 34) {
      const end = quotedEnd(text, col);
      if (text.charCodeAt(end) !== 58) return undefined;
      return { key: unquote(text.slice(col, end)), after: end + 1 };
    }
    let colon = text.indexOf(': ', col);
    if (colon < 0 && text.endsWith(':')) colon = text.length - 1;
    if (colon < 0) return undefined;
    const key = text.slice(col, colon);
    if (!isPlainKey(key)) throw GIVE_UP;
    return { key, after: colon + 1 };
  }

  private readNode(text: string, col: number): unknown {
    if (text.startsWith('- ', col)) return this.readSequence(col);
    if (this.keyAt(text, col) !== undefined) return this.readMap(col);
    this.index += 1;
    return scalar(text.slice(col));
  }

  /** The block below a `key:` line: it must start exactly two columns further in. */
  private readChild(col: number): unknown {
    const text = this.lines[this.index];
    if (text === undefined || indentOf(text) !== col) throw GIVE_UP;
    return this.readNode(text, col);
  }

  private readMap(col: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let text = this.lines[this.index];
    while (text !== undefined) {
      const entry = this.keyAt(text, col);
      if (entry === undefined || entry.key === '__proto__' || Object.hasOwn(map, entry.key)) throw GIVE_UP;
      if (entry.after === text.length) {
        this.index += 1;
        map[entry.key] = this.readChild(col + 2);
      } else {
        if (text.charCodeAt(entry.after) !== 32 || entry.after + 1 === text.length) throw GIVE_UP;
        map[entry.key] = scalar(text.slice(entry.after + 1));
        this.index += 1;
      }
      text = this.continuation(col, false);
    }
    return map;
  }

  private readSequence(col: number): unknown[] {
    const items: unknown[] = [];
    let text = this.lines[this.index];
    while (text !== undefined) {
      if (text.charCodeAt(col + 2) === 32) throw GIVE_UP;
      items.push(this.readNode(text, col + 2));
      text = this.continuation(col, true);
    }
    return items;
  }

  /** The next line if it continues the collection at `col`, undefined if the collection ends. */
  private continuation(col: number, isSequence: boolean): string | undefined {
    const text = this.lines[this.index];
    if (text === undefined) return undefined;
    const indent = indentOf(text);
    if (indent > col) throw GIVE_UP;
    if (indent < col) return undefined;
    return text.startsWith('- ', col) === isSequence ? text : undefined;
  }
}

/**
 * The plain data of a document in canonical form, or undefined when `text` is not in the
 * subset the canonical writer produces (the caller then uses the full YAML parser).
 */
export function readCanonicalYaml(text: string): { readonly value: unknown } | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  try {
    return { value: new Reader(lines).readDocument() };
  } catch (error) {
    if (error instanceof NotCanonical) return undefined;
    throw error;
  }
}

/**
 * The value of one scalar token exactly as the canonical writer spells it (plain, double-quoted,
 * `null`, a number, `[]`, `{}`), or undefined when it is not one. For field-extracting readers.
 */
export function readCanonicalScalar(token: string): { readonly value: unknown } | undefined {
  try {
    return { value: scalar(token) };
  } catch (error) {
    if (error instanceof NotCanonical) return undefined;
    throw error;
  }
}

/**
 * A string scalar token as the canonical writer spells it: plain-safe text or a double-quoted
 * string. Undefined for anything else (a number, `null`, a collection, or not canonical); the
 * caller tells those apart with {@link readCanonicalScalar}, off its hot path.
 */
export function readCanonicalString(token: string): string | undefined {
  if (token.charCodeAt(0) !== 34) return isPlainSafe(token) ? token : undefined;
  const read = readCanonicalScalar(token);
  return typeof read?.value === 'string' ? read.value : undefined;
}
