/**
 * Time and sleeping, injected so that the executor and tests never depend on the wall clock.
 */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Resolves after `ms` milliseconds; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
