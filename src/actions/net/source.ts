import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WritLoreError } from '../../graph/index.js';
import { isCode } from './parents.js';

/** Where a download reads from. */
export type DownloadSource =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string };

/** An open source: its bytes as a stream of chunks and, when known, its length. */
export interface OpenSource {
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly size?: number;
}

/** Classifies the `url` slot: `http(s)://`, `file://`, or a plain local path. */
export function parseSource(url: string, where: string): DownloadSource {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { kind: 'http', url };
    if (parsed.protocol === 'file:') return { kind: 'file', path: fileURLToPath(parsed) };
    throw new WritLoreError('invalid-slot', `${where}: unsupported URL scheme in ${url}`, {
      hint: 'use http://, https://, file:// or a local path',
    });
  }
  return { kind: 'file', path: resolve(url) };
}

/** Opens `source` for streaming; `signal` aborts the transfer. */
export async function openSource(source: DownloadSource, signal: AbortSignal): Promise<OpenSource> {
  switch (source.kind) {
    case 'http':
      return openHttp(source.url, signal);
    case 'file':
      return openFile(source.path, signal);
    default:
      return source satisfies never;
  }
}

/** HTTP status codes worth retrying: server trouble, timeouts, rate limits. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

async function openHttp(url: string, signal: AbortSignal): Promise<OpenSource> {
  const response = await fetch(url, { signal, redirect: 'follow' });
  if (!response.ok || response.body === null) {
    // The body is unwanted; cancelling frees the connection instead of leaking it.
    await response.body?.cancel().catch((error: unknown) => error);
    throw new WritLoreError('action-failed', `download ${url} failed: HTTP ${response.status}`, {
      retryable: isRetryableStatus(response.status),
      hint: isRetryableStatus(response.status) ? 'the server may recover; retry later' : 'check the URL',
    });
  }
  const length = response.headers.get('content-length');
  const size = length === null ? undefined : Number(length);
  const chunks = response.body as unknown as AsyncIterable<Uint8Array>;
  return size === undefined || !Number.isSafeInteger(size) ? { chunks } : { chunks, size };
}

async function openFile(path: string, signal: AbortSignal): Promise<OpenSource> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) {
      throw new WritLoreError('invalid-input', `download ${path} failed: not a regular file`, {
        path,
      });
    }
    return { chunks: createReadStream(path, { signal }), size: stats.size };
  } catch (error) {
    if (isCode(error, 'ENOENT')) {
      throw new WritLoreError('not-found', `download ${path} failed: no such file`, {
        path,
        cause: error,
        retryable: false,
      });
    }
    throw error;
  }
}
