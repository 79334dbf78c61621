import type { JsonValue } from './types.js';

type JsonContainer = Readonly<Record<string, JsonValue>>;

/** Freezes a JSON value and everything in it; returns it (the same object). */
export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const key in value) deepFreeze((value as JsonContainer)[key] as JsonValue);
  }
  return value;
}
