import type { Clock } from '../actions/index.js';
import { WritLoreError } from '../graph/index.js';

/** The wall clock: real time and real timers. The default clock of a GraphExecutor. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The reason a signal aborted, as an Error (a bare `abort()` gives a DOMException). */
export function abortReason(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason ?? new WritLoreError('cancelled', 'the run was cancelled');
}

/** One sleep a {@link TestClock} was asked for. */
export interface RecordedSleep {
  readonly ms: number;
  /** The clock's time when the sleep was requested (ms since the epoch). */
  readonly at: number;
}

/**
 * A deterministic clock for tests: time stands still until a sleep advances it. `sleep(ms)`
 * records the request, moves the clock forward by `ms` and resolves on the next microtask, so
 * retries with backoff run instantly while their delays stay observable in `sleeps`.
 *
 * @example
 * const clock = new TestClock('2026-01-01T00:00:00.000Z');
 * await clock.sleep(500);
 * clock.now().toISOString(); // '2026-01-01T00:00:00.500Z'
 */
export class TestClock implements Clock {
  private millis: number;
  /** Every sleep requested so far, in order. */
  readonly sleeps: RecordedSleep[] = [];

  constructor(start: string | number = '2026-01-01T00:00:00.000Z') {
    this.millis = typeof start === 'number' ? start : Date.parse(start);
  }

  /** The current (fake) time. */
  now(): Date {
    return new Date(this.millis);
  }

  /** Moves the clock forward without sleeping. */
  advance(ms: number): void {
    this.millis += ms;
  }

  /** Records the sleep and advances time; rejects if `signal` is already aborted. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw abortReason(signal);
    this.sleeps.push({ ms, at: this.millis });
    this.millis += ms;
    await Promise.resolve();
    if (isAborted(signal)) throw abortReason(signal);
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
