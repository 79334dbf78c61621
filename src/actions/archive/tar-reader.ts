import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ReadEntry } from 'tar';
import type { ArchiveReader, EntryVisitor, RawEntry, RawEntryType } from './entry.js';

/** Compression around a tar stream. `auto` lets the tar parser detect gzip (and plain tar). */
export type TarCompression = 'auto' | 'xz';

const XZ_CHUNK = 1 << 20;

/** Reads `.tar`, `.tar.gz`/`.tgz` (tar's own gunzip) and `.tar.xz` (@napi-rs/lzma). */
export function tarReader(path: string, compression: TarCompression): ArchiveReader {
  return {
    walk: (visit, signal) => walkTar(path, compression, visit, signal),
  };
}

async function walkTar(
  path: string,
  compression: TarCompression,
  visit: EntryVisitor,
  signal: AbortSignal,
): Promise<void> {
  // Loaded on first use: most runs open no archive.
  const { Parser } = await import('tar');
  const parser = new Parser({ strict: true, file: path });
  const reading = new AbortController();
  const onCancel = (): void => reading.abort(signal.reason);
  if (signal.aborted) onCancel();
  else signal.addEventListener('abort', onCancel, { once: true });
  const { fail, failed } = failureLatch(reading);
  const ended = new Promise<void>((resolve) => parser.on('end', resolve));
  parser.on('error', (error: unknown) => fail(error));
  const visits: Promise<void>[] = [];
  parser.on('entry', (entry: ReadEntry) => {
    const raw = toRawEntry(entry);
    const body = raw.type === 'file' ? (entry as AsyncIterable<Uint8Array>) : undefined;
    visits.push(
      visit(raw, body)
        .catch((error: unknown) => {
          fail(error);
          parser.abort(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => entry.resume()),
    );
  });
  const feed = async (): Promise<void> => {
    for await (const chunk of chunks(path, compression, reading.signal)) {
      if (parser.write(chunk)) continue;
      await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), failed]);
    }
    parser.end();
    await ended;
    await Promise.all(visits);
  };
  try {
    await Promise.race([feed(), failed]);
  } finally {
    signal.removeEventListener('abort', onCancel);
    reading.abort();
  }
}

/** The first failure of a walk: rejects `failed` and stops reading the archive. */
function failureLatch(reading: AbortController): { fail(error: unknown): void; failed: Promise<never> } {
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    fail = (error) => {
      reading.abort(error);
      reject(error);
    };
  });
  // Observed through the walk's race; a failure after the race settled repeats the first one.
  failed.catch(() => undefined);
  return { fail, failed };
}

/** The archive's tar bytes: streamed for tar/gzip; decompressed in memory for xz. */
async function* chunks(path: string, compression: TarCompression, signal: AbortSignal): AsyncIterable<Buffer> {
  if (compression === 'auto') {
    yield* createReadStream(path, { signal }) as AsyncIterable<Buffer>;
    return;
  }
  const { xz } = await import('@napi-rs/lzma');
  const tar = await xz.decompress(await readFile(path, { signal }), signal);
  for (let offset = 0; offset < tar.length; offset += XZ_CHUNK) {
    signal.throwIfAborted();
    yield tar.subarray(offset, offset + XZ_CHUNK);
  }
}

const TYPES: Readonly<Partial<Record<ReadEntry['type'], RawEntryType>>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

function toRawEntry(entry: ReadEntry): RawEntry {
  const raw = { name: entry.path, type: TYPES[entry.type] ?? 'other', typeLabel: entry.type, mode: entry.mode ?? 0o644 };
  return entry.linkpath === undefined || entry.linkpath === '' ? raw : { ...raw, linkTarget: entry.linkpath };
}
