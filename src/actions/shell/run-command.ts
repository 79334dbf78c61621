import { WritLoreError } from '../../graph/index.js';
import type { Clock } from '../clock.js';
import type { Environment } from '../host-facts.js';
import { runProcessTree, type OutputStream, type ProcessOutcome } from '../process-tree.js';
import type { ActionLogger } from '../types.js';

/** A command to run for an action. */
export interface CommandRun {
  readonly argv: readonly string[];
  /** How messages show the command; default: the quoted argv. */
  readonly display?: string;
  readonly cwd?: string;
  /** The child's whole environment. */
  readonly env: Environment;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly timeoutMs?: number;
  /** Receives each output line; omit to keep output out of the log (e.g. query commands). */
  readonly log?: ActionLogger;
  /** Bytes of output kept. Default 8192. */
  readonly tailBytes?: number;
  /** Which exits count as success: only 0 (default), or any exit code (the caller decides). */
  readonly accept?: 'zero' | 'any';
}

/** How a command that ran to its end finished. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdoutTail: string;
  readonly stderrTail: string;
}

/** Lines of output quoted in a failure message. */
const QUOTED_LINES = 5;

/**
 * Runs a command as a process tree (see {@link runProcessTree}) and turns every way it can end
 * badly into a WritLoreError: not found, non-zero exit (with the tail of stderr), killed by a
 * signal, timed out, or cancelled (code `cancelled`).
 */
export async function runCommand(run: CommandRun): Promise<CommandResult> {
  const display = run.display ?? formatArgv(run.argv);
  const onLine = run.log === undefined ? undefined : lineLogger(run.log);
  const outcome = await runProcessTree(run.argv, {
    env: run.env,
    signal: run.signal,
    clock: run.clock,
    ...(run.cwd === undefined ? {} : { cwd: run.cwd }),
    ...(run.timeoutMs === undefined ? {} : { timeoutMs: run.timeoutMs }),
    ...(run.tailBytes === undefined ? {} : { tailBytes: run.tailBytes }),
    ...(onLine === undefined ? {} : { onLine }),
  });
  return settle(outcome, display, run.accept ?? 'zero');
}

function settle(outcome: ProcessOutcome, display: string, accept: 'zero' | 'any'): CommandResult {
  switch (outcome.kind) {
    case 'exited': {
      const result = { exitCode: outcome.code, stdoutTail: outcome.stdoutTail, stderrTail: outcome.stderrTail };
      if (outcome.code === 0 || accept === 'any') return result;
      const tail = lastLines(outcome.stderrTail) || lastLines(outcome.stdoutTail);
      const suffix = tail === '' ? ' (no output)' : `: ${tail}`;
      throw new WritLoreError('action-failed', `command "${display}" exited with code ${outcome.code}${suffix}`);
    }
    case 'signalled':
      throw new WritLoreError('action-failed', `command "${display}" was killed by ${outcome.signal}`);
    case 'timed-out':
      throw new WritLoreError(
        'action-failed',
        `command "${display}" timed out after ${outcome.timeoutMs} ms; its process tree was killed`,
        { retryable: true },
      );
    case 'aborted':
      throw new WritLoreError('cancelled', `command "${display}" was cancelled; its process tree was killed`, {
        cause: outcome.reason,
      });
    case 'spawn-failed':
      throw spawnError(outcome.error, display);
    default:
      return outcome satisfies never;
  }
}

function spawnError(error: Error, display: string): WritLoreError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new WritLoreError('action-failed', `command "${display}" not found`, {
      hint: 'check the program name and the PATH (or the working directory) it runs with',
      cause: error,
    });
  }
  return new WritLoreError('action-failed', `cannot start command "${display}": ${error.message}`, { cause: error });
}

function lineLogger(log: ActionLogger): (stream: OutputStream, line: string) => void {
  return (stream, line) => log.info(stream === 'stdout' ? line : `(stderr) ${line}`);
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-QUOTED_LINES).join('\n').trim();
}

const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/** An argument vector as a shell would read it back (`make 'DESTDIR=/a b'`), for messages. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (PLAIN_WORD.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}
