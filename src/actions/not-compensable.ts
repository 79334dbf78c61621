import { WritLoreError, type ErrorDetails } from '../graph/index.js';

/**
 * Thrown by `undo` when an action cannot undo what it did (e.g. a shell command without an
 * undo command). The executor logs it as a diagnostic and the unwind goes on.
 */
export class NotCompensableError extends WritLoreError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('not-compensable', message, details);
  }
}

/** True when `error` says the action cannot be undone. */
export function isNotCompensable(error: unknown): boolean {
  return error instanceof WritLoreError && error.code === 'not-compensable';
}
