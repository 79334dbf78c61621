import type { JsonValue } from '../../src/graph/index.js';
import type { ActionContext, BackupStore, Clock } from '../../src/actions/index.js';

/** One line an action logged. */
export interface LoggedLine {
  readonly level: 'info' | 'warn';
  readonly message: string;
}

/** An ActionContext that records log lines and registered undo states for assertions. */
export interface FakeActionContext extends ActionContext {
  readonly lines: LoggedLine[];
  /** Every registered undo state, copied as it was when registered (as the journal keeps it). */
  readonly registered: JsonValue[];
}

/** A clock whose sleeps resolve only when the test calls `fire()` (no real waiting). */
export interface ManualClock extends Clock {
  /** Sleeps started and not yet fired or aborted. */
  readonly pending: number;
  /** Resolves every pending sleep. */
  fire(): void;
  /** Resolves when a sleep has been started (for tests that must wait for the timer). */
  whenSleeping(): Promise<void>;
}

/** A {@link ManualClock} at a fixed instant. */
export function manualClock(now = new Date('2026-01-01T00:00:00.000Z')): ManualClock {
  const waiting = new Set<() => void>();
  let sleepers: (() => void)[] = [];
  return {
    now: () => now,
    get pending() {
      return waiting.size;
    },
    fire() {
      for (const resolve of [...waiting]) resolve();
    },
    whenSleeping() {
      if (waiting.size > 0) return Promise.resolve();
      return new Promise((resolve) => sleepers.push(resolve));
    },
    sleep(_ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted === true) return reject(signal.reason);
        const done = (): void => {
          waiting.delete(done);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          waiting.delete(done);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.add(done);
        const wake = sleepers;
        sleepers = [];
        for (const w of wake) w();
      });
    },
  };
}

/** A BackupStore for actions that must not use one: every call fails the test. */
const noBackups: BackupStore = {
  root: '/nonexistent-backups',
  save: () => Promise.reject(new Error('this action must not use the backup store')),
  restore: () => Promise.reject(new Error('this action must not use the backup store')),
};

/** Options for {@link fakeActionContext}. */
export interface FakeContextOptions {
  readonly nodeId?: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Where displaced items go (default: a store whose every call fails the test). */
  readonly backups?: BackupStore;
  /** Called with each undo state as it is registered. */
  readonly onRegister?: (state: JsonValue) => void;
}

/** A context for calling one action directly in a test. */
export function fakeActionContext(options: FakeContextOptions = {}): FakeActionContext {
  const lines: LoggedLine[] = [];
  const registered: JsonValue[] = [];
  return {
    nodeId: options.nodeId ?? 'node',
    signal: options.signal ?? new AbortController().signal,
    clock: options.clock ?? manualClock(),
    data: options.data ?? {},
    log: {
      info: (message) => lines.push({ level: 'info', message }),
      warn: (message) => lines.push({ level: 'warn', message }),
    },
    backups: options.backups ?? noBackups,
    registerUndo: async (state) => {
      options.onRegister?.(state);
      registered.push(JSON.parse(JSON.stringify(state)) as JsonValue);
    },
    lines,
    registered,
  };
}
