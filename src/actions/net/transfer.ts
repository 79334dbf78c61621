import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { WritLoreError } from '../../graph/index.js';
import type { ProbeContext } from '../types.js';
import { isCode } from './parents.js';
import { openSource, type DownloadSource } from './source.js';

/** What a finished transfer wrote. */
export interface Transferred {
  /** `sha256:<hex>` of the bytes written. */
  readonly sha256: string;
  readonly size: number;
}

/** How long a transfer may take, in ms and as the user wrote it (for messages). */
export interface TransferTimeout {
  readonly ms: number;
  readonly text: string;
}

/** Options of {@link transferToFile}. */
export interface TransferOptions {
  readonly source: DownloadSource;
  /** Shown in messages: the URL or path as the slot gave it. */
  readonly label: string;
  /** The file to create (must not exist); removed again when the transfer fails. */
  readonly target: string;
  readonly timeout?: TransferTimeout;
}

/**
 * Streams `source` into a new file, hashing on the way, and fsyncs it. Honours the context's
 * AbortSignal and the timeout (measured on the context's clock). On any failure the partial
 * file is removed and the error says whether a retry may help.
 */
export async function transferToFile(ctx: ProbeContext, options: TransferOptions): Promise<Transferred> {
  const deadline = startDeadline(ctx, options.timeout);
  try {
    return await writeStream(options, deadline.signal);
  } catch (error) {
    await unlink(options.target).catch((cleanupError: unknown) => {
      // ENOENT: the file was never created. Anything else must not hide the transfer error.
      if (!isCode(cleanupError, 'ENOENT')) ctx.log.warn(`could not remove ${options.target}`);
    });
    throw classifyFailure(error, ctx.signal, deadline.timedOut(), options);
  } finally {
    deadline.dispose();
  }
}

async function writeStream(options: TransferOptions, signal: AbortSignal): Promise<Transferred> {
  const opened = await openSource(options.source, signal);
  const handle = await open(options.target, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of opened.chunks) {
      signal.throwIfAborted();
      hash.update(chunk);
      size += chunk.byteLength;
      await handle.write(chunk);
    }
    signal.throwIfAborted();
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: `sha256:${hash.digest('hex')}`, size };
}

interface Deadline {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  dispose(): void;
}

/** A signal that aborts when the run is cancelled or when the timeout elapses on ctx.clock. */
function startDeadline(ctx: ProbeContext, timeout: TransferTimeout | undefined): Deadline {
  const controller = new AbortController();
  const stopTimer = new AbortController();
  let expired = false;
  const onCancel = (): void => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onCancel();
  else ctx.signal.addEventListener('abort', onCancel, { once: true });
  if (timeout !== undefined) {
    ctx.clock.sleep(timeout.ms, stopTimer.signal).then(
      () => {
        expired = true;
        controller.abort(new Error(`timed out after ${timeout.text}`));
      },
      // Rejection means dispose() stopped the timer: the transfer ended first. Nothing to do.
      () => undefined,
    );
  }
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose: () => {
      stopTimer.abort();
      ctx.signal.removeEventListener('abort', onCancel);
    },
  };
}

function classifyFailure(
  error: unknown,
  runSignal: AbortSignal,
  timedOut: boolean,
  options: TransferOptions,
): WritLoreError {
  const where = `download ${options.label}`;
  if (runSignal.aborted) {
    return new WritLoreError('cancelled', `${where} cancelled`, { cause: error });
  }
  if (timedOut && options.timeout !== undefined) {
    return new WritLoreError('action-failed', `${where} timed out after ${options.timeout.text}`, {
      retryable: true,
      cause: error,
      hint: 'raise the "timeout" slot or check the server',
    });
  }
  if (error instanceof WritLoreError) return error;
  return new WritLoreError('action-failed', `${where} failed: ${describe(error)}`, {
    retryable: options.source.kind === 'http',
    cause: error,
  });
}

/** The message of an error and of its cause (fetch hides the real reason in `cause`). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
