import { closeSync, fdatasyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { WritLoreError } from '../graph/index.js';
import { syncDirectory } from './atomic.js';
import { toJournalRecord, type JournalRecord, type RunStartRecord } from './journal-records.js';

/** Buffered bytes above which records are written out even without a sync (no fsync). */
const FLUSH_THRESHOLD = 256 * 1024;

/** One line: 8 hex digits of CRC-32 over the JSON text, a space, the JSON, a newline. */
export function encodeJournalLine(record: JournalRecord): string {
  return lineOf(JSON.stringify(record));
}

function lineOf(body: string): string {
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

/**
 * An append-only write-ahead log of one run. `append` buffers; `sync` writes everything
 * buffered and fdatasyncs it, so records appended between two syncs share one flush (group
 * commit). Writes are synchronous system calls: a sync must finish before the executor's
 * destructive step anyway, and for small appends a blocking write + fdatasync costs a few
 * microseconds on tmpfs where two thread-pool round trips cost tens (STYLE.md: measure before
 * choosing async fan-out for small fs calls).
 *
 * @example
 * const journal = await Journal.create(file, runStart);
 * journal.append({ kind: 'undo-registered', node: 'a', action: 'file.link', undo });
 * await journal.sync(); // durable before the action acts
 */
export class Journal {
  readonly path: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private isClosed = false;

  private constructor(file: string, fd: number) {
    this.path = file;
    this.fd = fd;
  }

  /** Creates a new journal (fails if one exists) whose first, durable record is `start`. */
  static async create(file: string, start: RunStartRecord): Promise<Journal> {
    const journal = new Journal(file, openSync(file, 'wx', 0o600));
    journal.append(start);
    await journal.sync();
    await syncDirectory(path.dirname(file));
    return journal;
  }

  /** Opens an existing journal for appending, first cutting off a torn final line. */
  static async openForAppend(file: string): Promise<Journal> {
    const { validBytes } = await readJournal(file);
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, validBytes);
    fdatasyncSync(fd);
    closeSync(fd);
    return new Journal(file, openSync(file, 'a'));
  }

  /** Adds a record to the buffer (written at the next sync, or now when the buffer is large). */
  append(record: JournalRecord): void {
    this.appendJson(JSON.stringify(record));
  }

  /**
   * Adds a record already serialised as JSON (the hooks build undo records around an undo
   * state they stringified once to compare it). The text must be one `JournalRecord`.
   */
  appendJson(body: string): void {
    if (this.isClosed) throw new WritLoreError('internal', `journal ${this.path} is closed`, { path: this.path });
    const line = lineOf(body);
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= FLUSH_THRESHOLD) this.flush();
  }

  /** Makes every record appended so far durable: one write and one fdatasync for the batch. */
  sync(): Promise<void> {
    try {
      this.flush();
      fdatasyncSync(this.fd);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Writes the buffer out in order (no fsync). */
  private flush(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.length === 1 ? (this.buffer[0] ?? '') : this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    // One write for the common case; a short write (rare, large batches) continues from bytes.
    const written = writeSync(this.fd, text);
    const length = Buffer.byteLength(text);
    if (written < length) {
      const data = Buffer.from(text, 'utf8');
      for (let offset = written; offset < length; ) offset += writeSync(this.fd, data, offset);
    }
  }

  /** Syncs what is buffered and closes the file. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    await this.sync();
    this.isClosed = true;
    closeSync(this.fd);
  }

  /** Closes and deletes the journal (after its receipt is safely written). */
  async remove(): Promise<void> {
    await this.close();
    await fs.unlink(this.path);
    await syncDirectory(path.dirname(this.path));
  }
}

/** What {@link readJournal} found. */
export interface JournalContents {
  readonly records: readonly JournalRecord[];
  /** True when the last line was incomplete or failed its CRC (a write cut short by a kill). */
  readonly isTorn: boolean;
  /** Bytes up to the end of the last valid line. */
  readonly validBytes: number;
}

/**
 * Reads a journal. A torn final line (no newline, or a CRC mismatch on the last line) is
 * ignored and reported in `isTorn`; a bad line followed by good ones is corruption and an
 * `integrity` error naming the file and line.
 */
export async function readJournal(file: string): Promise<JournalContents> {
  const bytes = await fs.readFile(file);
  const records: JournalRecord[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    line += 1;
    if (end === -1) return { records, isTorn: true, validBytes: start };
    const record = decodeLine(bytes.subarray(start, end).toString('utf8'), `${file}:${line}`);
    if (record === undefined) {
      if (end + 1 < bytes.length) {
        throw new WritLoreError('integrity', `journal line ${line} is corrupt (CRC mismatch) and is not the last line`, {
          path: file,
          line,
          hint: 'the journal was damaged after it was written; recover by hand from the backups directory',
        });
      }
      return { records, isTorn: true, validBytes: start };
    }
    records.push(record);
    start = end + 1;
  }
  return { records, isTorn: false, validBytes: start };
}

function decodeLine(text: string, where: string): JournalRecord | undefined {
  const space = text.indexOf(' ');
  if (space !== 8) return undefined;
  const body = text.slice(9);
  if (crc32(body).toString(16).padStart(8, '0') !== text.slice(0, 8)) return undefined;
  return toJournalRecord(JSON.parse(body) as unknown, where);
}
