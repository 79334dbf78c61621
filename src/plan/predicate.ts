import { WritLoreError } from '../graph/index.js';
import type { JsonValue } from '../graph/index.js';
import { toJsonValue } from './inputs.js';

/**
 * When a `flow.choose` branch is taken, as data (the flow action evaluates it):
 * equal to a value, one of several values, truthy or not, or matching a regular expression.
 */
export type BranchPredicate =
  | { readonly equals: JsonValue }
  | { readonly one_of: readonly JsonValue[] }
  | { readonly truthy: boolean }
  | { readonly matches: string };

const PREDICATE_KEYS = ['equals', 'one_of', 'truthy', 'matches'] as const;

function invalid(where: string, problem: string): WritLoreError {
  return new WritLoreError('invalid-input', `${where}: ${problem}`, {
    hint: 'a predicate is one of { equals: V }, { one_of: [V…] }, { truthy: bool }, { matches: "regex" }',
  });
}

/** A checked deep copy of `predicate`; throws `invalid-input` naming `where` when malformed. */
export function checkPredicate(predicate: BranchPredicate, where: string): JsonValue {
  const value = toJsonValue(predicate, where);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, 'a predicate must be an object');
  }
  const record = value as Readonly<Record<string, JsonValue>>;
  const keys = Object.keys(record);
  const key = keys[0];
  if (keys.length !== 1 || !(PREDICATE_KEYS as readonly string[]).includes(key ?? '')) {
    throw invalid(where, `a predicate has exactly one key, got ${JSON.stringify(keys)}`);
  }
  const operand = record[key ?? ''];
  if (key === 'one_of' && !Array.isArray(operand)) throw invalid(where, 'one_of needs an array');
  if (key === 'truthy' && typeof operand !== 'boolean') throw invalid(where, 'truthy needs a boolean');
  if (key === 'matches') {
    if (typeof operand !== 'string') throw invalid(where, 'matches needs a regular expression string');
    try {
      new RegExp(operand, 'u');
    } catch (error) {
      throw new WritLoreError('invalid-input', `${where}: invalid regular expression ${JSON.stringify(operand)}`, {
        cause: error,
      });
    }
  }
  return value;
}
