import { WritLoreError } from '../../graph/index.js';
import { isDeepStrictEqual } from 'node:util';

/** A branch condition as data: `{ equals }`, `{ one_of }`, `{ truthy }` or `{ matches }`. */
export type Predicate =
  | { readonly kind: 'equals'; readonly value: unknown }
  | { readonly kind: 'one_of'; readonly values: readonly unknown[] }
  | { readonly kind: 'truthy'; readonly expected: boolean }
  | { readonly kind: 'matches'; readonly pattern: RegExp };

/** Reads a predicate from its data form; `where` names it in errors. */
export function parsePredicate(data: unknown, where: string): Predicate {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new WritLoreError('invalid-slot', `${where} must be an object like { equals: V }`);
  }
  const keys = Object.keys(data);
  const record = data as Record<string, unknown>;
  if (keys.length !== 1) {
    throw new WritLoreError('invalid-slot', `${where} must have exactly one of equals, one_of, truthy, matches (got ${keys.join(', ') || 'none'})`);
  }
  const key = keys[0];
  const value = record[key ?? ''];
  if (key === 'equals') return { kind: 'equals', value };
  if (key === 'one_of' && Array.isArray(value)) return { kind: 'one_of', values: value };
  if (key === 'truthy' && typeof value === 'boolean') return { kind: 'truthy', expected: value };
  if (key === 'matches' && typeof value === 'string') return { kind: 'matches', pattern: compile(value, where) };
  throw new WritLoreError('invalid-slot', `${where}: "${key}" is not a predicate of this form (equals: V, one_of: [V], truthy: bool, matches: "regex")`);
}

function compile(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (error) {
    throw new WritLoreError('invalid-slot', `${where}: invalid regular expression ${JSON.stringify(pattern)}`, { cause: error });
  }
}

/** Whether `value` satisfies `predicate`. `matches` holds only for strings. */
export function holds(predicate: Predicate, value: unknown): boolean {
  switch (predicate.kind) {
    case 'equals':
      return isDeepStrictEqual(value, predicate.value);
    case 'one_of':
      return predicate.values.some((candidate) => isDeepStrictEqual(value, candidate));
    case 'truthy':
      return Boolean(value) === predicate.expected;
    case 'matches':
      return typeof value === 'string' && predicate.pattern.test(value);
    default:
      return predicate satisfies never;
  }
}
