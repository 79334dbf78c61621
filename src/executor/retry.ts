import { computeDelay, totalAttempts, type Phase } from '../graph/index.js';
import type { RunEnv } from './env.js';

/** The number of tries a phase gets (its RetryPolicy's `max_attempts`; 1 without one). */
export function attemptsOf(phase: Phase): number {
  return Math.max(1, totalAttempts(phase.retry));
}

/**
 * Waits before try `attempt` (2 = first retry) of `phase`, per its RetryPolicy, on the run's
 * clock. Fires `onRetry` first. Resolves false when the run was cancelled during the wait.
 */
export async function waitBeforeRetry(
  env: RunEnv,
  phase: Phase,
  attempt: number,
  lastError: string,
): Promise<boolean> {
  const delayMs = phase.retry === undefined ? 0 : computeDelay(phase.retry, attempt - 2, env.random);
  await env.hooks.emit('onRetry', { phase, attempt, delayMs, error: lastError });
  if (env.signal.aborted) return false;
  try {
    await env.clock.sleep(delayMs, env.signal);
  } catch (error) {
    // The clock rejects only when the signal aborts; anything else is a real failure.
    if (env.signal.aborted) return false;
    throw error;
  }
  return true;
}
