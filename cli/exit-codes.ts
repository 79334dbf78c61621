import { isWritLoreError, type ErrorCode } from '../src/graph/errors.js';

/** Exit codes of every CLI (DESIGN.md §8). */
export const EXIT = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  conflict: 3,
  integrity: 4,
  rollbackIncomplete: 5,
  /** SIGINT cancelled the run and it was rolled back: 128 + 2, as a shell reports Ctrl-C. */
  interrupted: 130,
  /** SIGTERM cancelled the run and it was rolled back: 128 + 15. */
  terminated: 143,
} as const;

/** One of the values of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for each error code: the one table the CLIs use. */
export const EXIT_CODE_BY_ERROR = {
  'invalid-input': EXIT.usage,
  'invalid-graph': EXIT.usage,
  'unknown-action': EXIT.usage,
  'invalid-slot': EXIT.usage,
  'not-found': EXIT.usage,
  integrity: EXIT.integrity,
  'stale-plan': EXIT.integrity,
  conflict: EXIT.conflict,
  'action-failed': EXIT.runFailed,
  'not-compensable': EXIT.rollbackIncomplete,
  'rollback-incomplete': EXIT.rollbackIncomplete,
  cancelled: EXIT.runFailed,
  locked: EXIT.runFailed,
  internal: EXIT.runFailed,
} as const satisfies Record<ErrorCode, ExitCode>;

/**
 * The exit code for anything thrown: its code's entry (a cancellation by SIGINT or SIGTERM:
 * 130 or 143, as a shell reports them), or 1 for a foreign error.
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (isWritLoreError(error, 'cancelled') && error.signal !== undefined) return exitCodeForSignal(error.signal);
  if (isWritLoreError(error)) return EXIT_CODE_BY_ERROR[error.code];
  return EXIT.runFailed;
}

/** The exit code of a run that `signal` cancelled and that was rolled back completely. */
export function exitCodeForSignal(signal: 'SIGINT' | 'SIGTERM'): ExitCode {
  return signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
}
