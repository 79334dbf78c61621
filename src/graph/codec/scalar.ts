/**
 * Scalar spelling shared by the canonical writer and the fast reader: which strings may be
 * written plain, how the others are quoted, how numbers are spelt. The writer and the fast
 * reader must agree with the `yaml` package on every string this file calls plain (tested).
 */
import { WritLoreError } from '../errors.js';

/** ASCII lookup table: 1 for each character of `chars` (ranges written out). */
function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const char of chars) table[char.charCodeAt(0)] = 1;
  return table;
}

/** Words YAML 1.1 or 1.2 would read as something other than a string. */
const RESERVED = new Set(['null', 'true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n']);

/** Characters YAML forbids raw or readers treat as line breaks; written as `\uXXXX`. */
const UNSAFE_RAW = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** The canonical spelling of numbers: what `String(n)` produces for a finite double. */
export const CANONICAL_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[+-][0-9]+)?$/;

/**
 * Plain-safe strings start with a letter, `_`, `/` or `.`, then use only path-like characters.
 * A regular expression rather than a character loop: V8 runs it as native code from the first
 * call, and a CLI emits its one receipt mostly before the loop would be optimised.
 */
const PATH_LIKE = /^[A-Za-z_/.][A-Za-z0-9_/.~@+\-:=,]*$/;

/** The first letters of the {@link RESERVED} words, either case. */
const RESERVED_FIRST = charTable('nNtTfFyYoO');

/** True when `text` can be written as a plain (unquoted) YAML scalar and read back as itself. */
export function isPlainSafe(text: string): boolean {
  if (!PATH_LIKE.test(text)) return false;
  // `a::b` and a trailing `:` read differently; `.5`, `.inf`, `.NaN` are numbers in YAML.
  if (text.includes(':') && (text.includes('::') || text.endsWith(':'))) return false;
  const first = text.charCodeAt(0);
  if (first === 46 && /^\.(?:[0-9]|inf$|nan$)/i.test(text)) return false;
  return text.length > 5 || RESERVED_FIRST[first] === 0 || !RESERVED.has(text.toLowerCase());
}

/** YAML allows implicit keys up to 1024 characters; longer keys use the explicit `? ` form. */
export const MAX_IMPLICIT_KEY = 1000;

/** True when `text` can be written as a plain mapping key (no `:` at all, to stay unambiguous). */
export function isPlainKey(text: string): boolean {
  return text.length <= MAX_IMPLICIT_KEY && !text.includes(':') && isPlainSafe(text);
}

function escapeUnsafe(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A double-quoted scalar valid both as YAML and as JSON, on one line. */
export function quoteString(text: string): string {
  const quoted = JSON.stringify(text);
  UNSAFE_RAW.lastIndex = 0;
  return UNSAFE_RAW.test(quoted) ? quoted.replace(UNSAFE_RAW, escapeUnsafe) : quoted;
}

/** A string value as written in YAML: plain when safe, double-quoted otherwise. */
export function formatString(text: string): string {
  return isPlainSafe(text) ? text : quoteString(text);
}

/** A mapping key as written in YAML. */
export function formatKey(text: string): string {
  return isPlainKey(text) ? text : quoteString(text);
}

/** A finite number as written in YAML and JSON; `-0` keeps its sign so a round trip is exact. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new WritLoreError('invalid-input', `cannot serialise the number ${value} (JSON has no NaN or Infinity)`);
  }
  return Object.is(value, -0) ? '-0' : String(value);
}
