import { WritLoreError } from '../graph/index.js';

/** The signals that cancel a recorded run while it is in flight. */
export const RUN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** One of {@link RUN_SIGNALS}. */
export type RunSignal = (typeof RUN_SIGNALS)[number];

/** Options of a {@link CancelScope}. */
export interface CancelScopeOptions {
  /** The caller's own cancellation, followed. */
  readonly signal?: AbortSignal;
  /** Handle SIGINT/SIGTERM while the scope lasts (default true). */
  readonly handleSignals?: boolean;
  /** Told about a signal received. */
  readonly onNote?: (message: string) => void;
}

/**
 * A run's cancellation: the caller's signal and, until disposed, SIGINT/SIGTERM. The first
 * signal aborts (its reason a `cancelled` error naming the signal); later ones are reported
 * and ignored (compensation must finish). A CLI opens one as soon as it holds the run lock,
 * so that a signal during preflight also ends in the lock's release, not a killed process.
 */
export class CancelScope {
  private readonly controller = new AbortController();
  private readonly handlers: { signal: RunSignal; handler: () => void }[] = [];
  private readonly onCallerAbort: () => void;
  private readonly caller: AbortSignal | undefined;
  /** The first of {@link RUN_SIGNALS} received, if any. */
  received: RunSignal | undefined;

  constructor(options: CancelScopeOptions = {}) {
    this.caller = options.signal;
    this.onCallerAbort = () => this.controller.abort(this.caller?.reason);
    if (this.caller?.aborted === true) this.onCallerAbort();
    else this.caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (options.handleSignals === false) return;
    for (const signal of RUN_SIGNALS) {
      const handler = (): void => this.onSignal(signal, options.onNote);
      process.on(signal, handler);
      this.handlers.push({ signal, handler });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private onSignal(signal: RunSignal, onNote: ((message: string) => void) | undefined): void {
    if (!this.controller.signal.aborted) {
      this.received = signal;
      onNote?.(`${signal} received: stopping and rolling back what this run changed`);
      this.controller.abort(new WritLoreError('cancelled', `the run was cancelled by ${signal}`, { signal }));
      return;
    }
    onNote?.(`${signal} received again: still rolling back; wait for it to finish (or SIGKILL, then 'recover')`);
  }

  /** Says through `note` that preflight stopped before any change, when a signal stopped it. */
  notePreflightStop(note: ((message: string) => void) | undefined): void {
    if (this.received !== undefined) note?.('stopped during preflight: nothing was changed');
  }

  dispose(): void {
    this.caller?.removeEventListener('abort', this.onCallerAbort);
    for (const { signal, handler } of this.handlers) process.off(signal, handler);
  }
}
