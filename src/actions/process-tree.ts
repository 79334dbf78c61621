import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from './clock.js';

/** Which output stream a line came from. */
export type OutputStream = 'stdout' | 'stderr';

/** How {@link runProcessTree} runs a command. */
export interface RunProcessOptions {
  /** Working directory. Default: the current one. */
  readonly cwd?: string;
  /** The child's whole environment (also used to find `argv[0]` on its PATH). Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborting kills the whole process tree. */
  readonly signal?: AbortSignal;
  /** Kills the tree after this many milliseconds. Default: no limit. */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when killing. Default 2000 ms. */
  readonly graceMs?: number;
  /** Bytes of each stream kept for the outcome. Default 8192. */
  readonly tailBytes?: number;
  /** Called for every complete output line (without the newline). */
  readonly onLine?: (stream: OutputStream, line: string) => void;
  /** Where timeouts and grace periods wait. Default: real timers. */
  readonly clock?: Clock;
}

/** The last bytes of a process's output. */
export interface OutputTails {
  readonly stdoutTail: string;
  readonly stderrTail: string;
}

/** How a process run ended. */
export type ProcessOutcome =
  | ({ readonly kind: 'exited'; readonly code: number } & OutputTails)
  | ({ readonly kind: 'signalled'; readonly signal: string } & OutputTails)
  | ({ readonly kind: 'aborted'; readonly reason: unknown } & OutputTails)
  | ({ readonly kind: 'timed-out'; readonly timeoutMs: number } & OutputTails)
  | { readonly kind: 'spawn-failed'; readonly error: Error };

const DEFAULT_GRACE_MS = 2000;
const DEFAULT_TAIL_BYTES = 8192;
/** A line longer than this is emitted in pieces, so memory stays bounded. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * Runs `argv` (no shell) in its own process group and waits until it exits and its output
 * closes. On abort or timeout the whole group gets SIGTERM, then SIGKILL after a grace period,
 * so grandchildren die too.
 */
export async function runProcessTree(
  argv: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessOutcome> {
  const [command, ...args] = argv;
  if (command === undefined) return { kind: 'spawn-failed', error: new Error('empty argument vector') };
  if (options.signal?.aborted === true) {
    return { kind: 'aborted', reason: options.signal.reason, stdoutTail: '', stderrTail: '' };
  }
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // spawn throws synchronously on invalid arguments (e.g. a NUL byte in argv).
    if (error instanceof Error) return { kind: 'spawn-failed', error };
    throw error;
  }
  return supervise(child, options);
}

type Stop = { readonly kind: 'aborted'; readonly reason: unknown } | { readonly kind: 'timed-out' };

/** Watches the abort signal and the timeout; `stop` says which one ended the run, if any. */
class StopWatch {
  stop: Stop | undefined;
  /** Aborted when the process has closed: cancels the timeout and grace timers. */
  readonly ended = new AbortController();
  private readonly onAbort = (): void => this.kill({ kind: 'aborted', reason: this.options.signal?.reason });

  constructor(
    private readonly child: ChildProcess,
    private readonly options: RunProcessOptions,
    private readonly clock: Clock,
  ) {
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.timeoutMs === undefined) return;
    clock.sleep(options.timeoutMs, this.ended.signal).then(
      () => this.kill({ kind: 'timed-out' }),
      () => undefined, // the timer was cancelled because the process ended first
    );
  }

  /** Called once the process is done: stops the timers and the abort listener. */
  close(): void {
    this.ended.abort();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // Anything of the group that survived SIGTERM yet closed its output dies now.
    if (this.stop !== undefined) signalGroup(this.child, 'SIGKILL');
  }

  private kill(why: Stop): void {
    if (this.stop !== undefined) return;
    this.stop = why;
    killTree(this.child, this.clock, this.options.graceMs ?? DEFAULT_GRACE_MS, this.ended.signal);
  }
}

function supervise(child: ChildProcess, options: RunProcessOptions): Promise<ProcessOutcome> {
  const stdout = new OutputCapture('stdout', options);
  const stderr = new OutputCapture('stderr', options);
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const watch = new StopWatch(child, options, options.clock ?? realClock);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      watch.close();
      resolve({ kind: 'spawn-failed', error });
    });
    child.once('close', (code, signal) => {
      watch.close();
      const tails = { stdoutTail: stdout.finish(), stderrTail: stderr.finish() };
      resolve(outcomeOf(watch.stop, code, signal, options.timeoutMs ?? 0, tails));
    });
  });
}

function outcomeOf(
  stop: Stop | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
  timeoutMs: number,
  tails: OutputTails,
): ProcessOutcome {
  if (stop?.kind === 'aborted') return { kind: 'aborted', reason: stop.reason, ...tails };
  if (stop?.kind === 'timed-out') return { kind: 'timed-out', timeoutMs, ...tails };
  if (code !== null) return { kind: 'exited', code, ...tails };
  return { kind: 'signalled', signal: signal ?? 'unknown', ...tails };
}

/** SIGTERM to the group now, SIGKILL after the grace period unless the run ends first. */
function killTree(child: ChildProcess, clock: Clock, graceMs: number, ended: AbortSignal): void {
  signalGroup(child, 'SIGTERM');
  clock.sleep(graceMs, ended).then(
    () => signalGroup(child, 'SIGKILL'),
    () => undefined, // the run ended within the grace period; stragglers are handled on close
  );
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we want.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Splits a stream into lines for the logger and keeps a bounded tail for the outcome. */
class OutputCapture {
  private tail = Buffer.alloc(0);
  private partial = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(
    private readonly stream: OutputStream,
    private readonly options: RunProcessOptions,
  ) {}

  push(chunk: Buffer): void {
    const limit = this.options.tailBytes ?? DEFAULT_TAIL_BYTES;
    const joined = Buffer.concat([this.tail, chunk]);
    this.tail = joined.subarray(Math.max(0, joined.length - limit));
    this.emitLines(this.decoder.decode(chunk, { stream: true }));
  }

  finish(): string {
    this.emitLines(this.decoder.decode());
    if (this.partial !== '') this.options.onLine?.(this.stream, this.partial);
    this.partial = '';
    // A cut through a multi-byte character at the start shows as U+FFFD; harmless in a tail.
    return this.tail.toString('utf8');
  }

  private emitLines(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.options.onLine?.(this.stream, line.replace(/\r$/, ''));
    while (this.partial.length > MAX_LINE_CHARS) {
      this.options.onLine?.(this.stream, this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
  }
}

/** Real timers, for callers that inject no clock. */
const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted === true) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
