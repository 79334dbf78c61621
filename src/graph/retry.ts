import { WritLoreError, assertNever } from './errors.js';
import { parseDuration } from './duration.js';
import type { RetryPolicy } from './types.js';

/** The base delay before retry `retryIndex` (0-based), before the cap and jitter. */
function baseDelay(policy: RetryPolicy, initial: number, retryIndex: number): number {
  switch (policy.backoff) {
    case 'none':
      return initial;
    case 'linear':
      return initial * (retryIndex + 1);
    case 'exponential':
      return initial * 2 ** retryIndex;
    default:
      return assertNever(policy.backoff satisfies never, 'backoff strategy');
  }
}

/**
 * The wait in milliseconds before retry `retryIndex` (0 = the first retry, i.e. before the
 * second try) under `policy`: `none` → I, `linear` → I·(a+1), `exponential` → I·2^a, capped
 * at `max_delay` (absent or `0` = no cap); with `jitter` j the delay moves uniformly within
 * ±j·delay using `random` (values in [0, 1); inject it for determinism), clamped to
 * [0, max_delay]. No `initial_delay` → 0. Whole milliseconds.
 * Throws `invalid-input` for a negative or fractional index, an unparseable duration or a jitter
 * outside [0, 1].
 */
export function computeDelay(
  policy: RetryPolicy,
  retryIndex: number,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(retryIndex) || retryIndex < 0) {
    const message = `retry index must be an integer ≥ 0 (got ${retryIndex})`;
    throw new WritLoreError('invalid-input', message);
  }
  const jitter = policy.jitter ?? 0;
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new WritLoreError('invalid-input', `retry jitter must be within [0, 1] (got ${jitter})`);
  }
  const initial = policy.initial_delay === undefined ? 0 : parseDuration(policy.initial_delay);
  if (initial === 0) return 0;
  const cap = policy.max_delay === undefined ? 0 : parseDuration(policy.max_delay);
  const limit = cap > 0 ? cap : Number.MAX_SAFE_INTEGER;
  const delay = Math.min(baseDelay(policy, initial, retryIndex), limit);
  if (jitter === 0) return Math.round(delay);
  const spread = jitter * delay * (2 * random() - 1);
  return Math.round(Math.min(Math.max(delay + spread, 0), limit));
}

/**
 * The total number of tries a policy allows: `max_attempts`, 1 without a policy, and never
 * fewer than 1 (validation rejects such a policy; a run must still try once, not zero times).
 */
export function totalAttempts(policy?: RetryPolicy): number {
  const attempts = policy?.max_attempts ?? 1;
  return Number.isInteger(attempts) && attempts >= 1 ? attempts : 1;
}
