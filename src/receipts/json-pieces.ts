/**
 * `JSON.stringify(value)`, handed to `sink` in pieces of roughly `pieceSize` characters, so that
 * a large value (a 50k-link run's digest is ~12 MB of JSON) is written and hashed without ever
 * being one string: a string that size goes straight to V8's large-object space and stays until
 * the next full collection, at the moment a large run peaks.
 *
 * The pieces joined are exactly `JSON.stringify(value)` for any JSON-serialisable value (a
 * property test holds it to that): plain objects are walked key by key, long arrays stringified
 * a batch of items at a time, everything else whole. Pieces split only between JSON tokens, so
 * their UTF-8 encodings joined are the encoding of the whole.
 */
export function stringifyInPieces(value: unknown, sink: (piece: string) => void, pieceSize = 1 << 16): void {
  let pending = '';
  const emit = (text: string): void => {
    pending += text;
    if (pending.length >= pieceSize) {
      sink(pending);
      pending = '';
    }
  };
  // JSON.stringify gives undefined for these: no pieces at all.
  if (hasNoJson(value)) return;
  walk(value, emit);
  if (pending !== '') sink(pending);
}

/** A long array is stringified this many items at a time (the items of a large list are small). */
const BATCH = 256;

function walk(value: unknown, emit: (text: string) => void): void {
  if (Array.isArray(value) && value.length > BATCH) {
    // JSON.stringify of a slice is `[` + its items as the whole array has them + `]` (what has
    // no JSON form is null inside an array, in a slice as in the whole).
    for (let start = 0; start < value.length; start += BATCH) {
      const batch = JSON.stringify(value.slice(start, start + BATCH));
      emit(start === 0 ? batch.slice(0, -1) : `,${batch.slice(1, -1)}`);
    }
    emit(']');
    return;
  }
  if (isPlainObject(value)) {
    emit('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const item = value[key];
      // As JSON.stringify does: what has no JSON form is left out of an object.
      if (hasNoJson(item)) continue;
      emit(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      walk(item, emit);
    }
    emit('}');
    return;
  }
  emit(JSON.stringify(value));
}

function hasNoJson(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** An object JSON.stringify would walk key by key itself: no prototype but Object's, no toJSON. */
function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
