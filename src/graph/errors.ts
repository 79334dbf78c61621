/**
 * The error codes every layer uses. The CLI maps each code to an exit code in one table
 * (cli/exit-codes.ts); a library user switches on `code`.
 */
export const ERROR_CODES = [
  /** Bad input: a malformed document, an unknown key, a wrong type, a bad argument. */
  'invalid-input',
  /** A graph that does not validate: cycle, dangling edge, duplicate id, missing slot. */
  'invalid-graph',
  /** An action name that the registry does not know. */
  'unknown-action',
  /** A slot that is missing or has the wrong type when an action runs. */
  'invalid-slot',
  /** A checksum or signature that does not match, or a signature required and absent. */
  'integrity',
  /** A saved plan whose preconditions no longer hold on disk. */
  'stale-plan',
  /** Targets that conflict with what the plan wants to write (preflight). */
  'conflict',
  /** An action failed while running. */
  'action-failed',
  /** An action cannot undo what it did. */
  'not-compensable',
  /** Compensation did not finish: something is left to undo by hand. */
  'rollback-incomplete',
  /** The run was cancelled (SIGINT, SIGTERM or an AbortSignal). */
  'cancelled',
  /** Another process holds the run lock. */
  'locked',
  /** A file or resource the command needs does not exist. */
  'not-found',
  /** Anything else: a bug or an unexpected environment failure. */
  'internal',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where an error happened and what to do about it; all optional. */
export interface ErrorDetails {
  /** The file (or target path) the error is about. */
  readonly path?: string;
  /** 1-based line in `path`, for documents. */
  readonly line?: number;
  /** 1-based column in `path`, for documents. */
  readonly column?: number;
  /** One line telling the user what to do next. */
  readonly hint?: string;
  /** The error underneath, if any. */
  readonly cause?: unknown;
  /**
   * Whether retrying the same operation may succeed: `false` stops a phase's retries at once
   * (a checksum mismatch will not fix itself), `true` says a retry may help, absent leaves it
   * to the retry policy (Temporal's `nonRetryable`, inverted).
   */
  readonly retryable?: boolean;
  /** For a `cancelled` error: the process signal that cancelled the work, when one did. */
  readonly signal?: 'SIGINT' | 'SIGTERM';
}

/**
 * The one error class of writ-lore: a code, a message that says what is wrong, and optional
 * location and hint. `toString()` renders `path:line: message` for documents.
 */
export class WritLoreError extends Error {
  override readonly name = 'WritLoreError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly hint: string | undefined;
  readonly retryable: boolean | undefined;
  readonly signal: 'SIGINT' | 'SIGTERM' | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.line = details.line;
    this.column = details.column;
    this.hint = details.hint;
    this.retryable = details.retryable;
    this.signal = details.signal;
  }

  /** The message prefixed with `path:line:` when the error has a location. */
  get located(): string {
    if (this.path === undefined) return this.message;
    const where = this.line === undefined ? this.path : `${this.path}:${this.line}`;
    return `${where}: ${this.message}`;
  }

  override toString(): string {
    return this.located;
  }
}

/** True when `value` is a {@link WritLoreError}, optionally with the given code. */
export function isWritLoreError(value: unknown, code?: ErrorCode): value is WritLoreError {
  return value instanceof WritLoreError && (code === undefined || value.code === code);
}

/** The message of anything thrown, for records and logs (never a stack). */
export function errorMessage(error: unknown): string {
  if (error instanceof WritLoreError) return error.located;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** For exhaustive switches: reaching this is a bug. */
export function assertNever(value: never, what = 'value'): never {
  throw new WritLoreError('internal', `unexpected ${what}: ${JSON.stringify(value)}`);
}
