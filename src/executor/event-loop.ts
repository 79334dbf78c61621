import { performance } from 'node:perf_hooks';

/** How long a run may go on without letting the event loop turn. */
const DEFAULT_SLICE_MS = 20;

/**
 * Lets the event loop turn at least every `sliceMs` of a long stretch of work that only chains
 * promises: steps that never wait on I/O (a symlink, a pre-registered undo state) resolve as
 * microtasks, and a signal handler, a timer or a progress redraw would otherwise run only after
 * the last of tens of thousands of them. {@link pause} costs a counter, and a clock read every
 * 32nd call, when it is not due.
 */
export class EventLoopSlices {
  readonly #sliceMs: number;
  #since = performance.now();
  #calls = 0;
  /** The turn being waited for: every caller waits for it, or concurrent chains would go on. */
  #pending: Promise<void> | undefined;

  constructor(sliceMs = DEFAULT_SLICE_MS) {
    this.#sliceMs = sliceMs;
  }

  /** A promise to await when the slice is used up (it settles after one turn), else undefined. */
  pause(): Promise<void> | undefined {
    if (this.#pending !== undefined) return this.#pending;
    // The clock is read every 32nd call: a step takes microseconds, a slice milliseconds.
    this.#calls = (this.#calls + 1) & 31;
    if (this.#calls !== 0) return undefined;
    if (performance.now() - this.#since < this.#sliceMs) return undefined;
    this.#pending = new Promise((resolve) => {
      setImmediate(() => {
        this.#since = performance.now();
        this.#pending = undefined;
        resolve();
      });
    });
    return this.#pending;
  }
}
