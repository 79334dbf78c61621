import { closeSync, fdatasyncSync, ftruncateSync, openSync, statfsSync, writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { WritLoreError } from '../graph/index.js';
import { syncDirectory } from './atomic.js';
import { toJournalRecord, type JournalRecord, type RunStartRecord } from './journal-records.js';

/** Buffered bytes above which records are written out even without a sync (no fsync). */
const FLUSH_THRESHOLD = 256 * 1024;

/** The byte buffer's usual size; one grown for a large record is not kept past its flush. */
const BUFFER_SIZE = 64 * 1024;
const MAX_KEPT_BUFFER = 4 * FLUSH_THRESHOLD;

/** The two lower-case hex digits of every byte value, as character codes. */
const HEX_DIGITS = Uint8Array.from({ length: 512 }, (_, index) =>
  '0123456789abcdef'.charCodeAt(index % 2 === 0 ? (index >> 1) >> 4 : (index >> 1) & 15),
);

/**
 * An fdatasync slower than this (moving average, ms) makes an `adaptive` journal batch its
 * commits whatever the batch size: a turn of the event loop costs a microsecond or two, a
 * disk's sync milliseconds.
 */
const SLOW_SYNC_MS = 0.05;

/**
 * On a fast disk an `adaptive` journal batches while batches hold at least this many commits
 * on average: on tmpfs a turn of the event loop costs about what a write and an fdatasync do,
 * so a batch of two barely pays for its wait (measured: jobs 2 equal, jobs 4 faster batched).
 */
const SHARED_BATCH = 2.5;

/** While committing at once, one commit in this many waits a turn to see whether others join. */
const PROBE_EVERY = 128;

/** statfs types whose fsync does nothing (no storage below the page cache): tmpfs, ramfs. */
const MEMORY_FILESYSTEMS: ReadonlySet<number> = new Set([0x01021994, 0x858458f6]);

const resolved: Promise<void> = Promise.resolve();

/** True when `file`'s filesystem keeps everything in memory, so fdatasync there is a no-op. */
function isInMemory(file: string): boolean {
  try {
    return MEMORY_FILESYSTEMS.has(statfsSync(path.dirname(file)).type);
  } catch {
    // statfs unsupported or failing: assume a disk and sync as usual.
    return false;
  }
}

/** One line: 8 hex digits of CRC-32 over the JSON text, a space, the JSON, a newline. */
export function encodeJournalLine(record: JournalRecord): string {
  return lineOf(JSON.stringify(record));
}

function lineOf(body: string): string {
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * How {@link Journal.commit} makes records durable: `immediate` writes and fdatasyncs at once;
 * `batched` waits one turn of the event loop so that registrations made meanwhile by the other
 * running nodes share one write and one fdatasync (group commit); `adaptive` batches when that
 * pays, i.e. when fdatasync is slow (a disk) or batches are shared (several nodes running),
 * and is immediate otherwise (one node at a time on tmpfs).
 */
export type CommitMode = 'adaptive' | 'batched' | 'immediate';

/** Options of {@link Journal.create} and {@link Journal.openForAppend}. */
export interface JournalOptions {
  /** Default `adaptive`. */
  readonly commit?: CommitMode;
}

/** What a journal has done so far (for tests and benchmarks). */
export interface JournalStats {
  /** write system calls. */
  readonly writes: number;
  /** Points where everything written was made durable (one per commit batch or sync). */
  readonly syncs: number;
  /** fdatasync calls: `syncs`, except on tmpfs and ramfs, where fdatasync is a no-op and skipped. */
  readonly fdatasyncs: number;
}

/** A commit waiting for the next event-loop turn, shared by everyone who joined it. */
interface PendingCommit {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function pendingCommit(): PendingCommit {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/**
 * An append-only write-ahead log of one run. `append` buffers; `commit` makes everything
 * buffered durable (one write, one fdatasync), so the records appended between two commits
 * share one flush, and in `batched` mode so do the commits of nodes running at the same time
 * (group commit). Writes are synchronous system calls: a commit must finish before the
 * executor's destructive step anyway, and for small appends a blocking write + fdatasync costs
 * a few microseconds on tmpfs where two thread-pool round trips cost tens (STYLE.md: measure
 * before choosing async fan-out for small fs calls). On tmpfs and ramfs, where fdatasync is a
 * no-op, a written record is already as durable as it can be and the call is skipped.
 *
 * @example
 * const journal = await Journal.create(file, runStart);
 * journal.append({ kind: 'undo-registered', node: 'a', action: 'file.link', undo });
 * await journal.commit(); // durable before the action acts
 */
export class Journal {
  readonly path: string;
  private readonly fd: number;
  private readonly mode: CommitMode;
  /** Encoded lines not yet written: `bytes[0, length)`. */
  private bytes = Buffer.allocUnsafe(BUFFER_SIZE);
  private length = 0;
  /** Written since the last fdatasync. */
  private isDirty = false;
  private isClosed = false;
  private waiting: PendingCommit | undefined;
  /** Moving average of fdatasync time in ms (until the first sync measures it: as if slow). */
  private syncMs = SLOW_SYNC_MS;
  /** Moving average of commits per batch (adaptive mode; optimistic until measured). */
  private batchSize = SHARED_BATCH;
  /** Commits that joined the waiting batch. */
  private joined = 0;
  /** Immediate commits left before the next probe batch (adaptive mode). */
  private probeIn = PROBE_EVERY;
  private writeCount = 0;
  private syncCount = 0;
  private fdatasyncCount = 0;
  /** On tmpfs or ramfs: written is as durable as it gets, fdatasync would do nothing. */
  private readonly isInMemory: boolean;

  private constructor(file: string, fd: number, options: JournalOptions) {
    this.path = file;
    this.fd = fd;
    this.mode = options.commit ?? 'adaptive';
    this.isInMemory = isInMemory(file);
    if (this.isInMemory) this.syncMs = 0;
  }

  /** Creates a new journal (fails if one exists) whose first, durable record is `start`. */
  static async create(file: string, start: RunStartRecord, options: JournalOptions = {}): Promise<Journal> {
    const journal = new Journal(file, openSync(file, 'wx', 0o600), options);
    journal.append(start);
    await journal.sync();
    await syncDirectory(path.dirname(file));
    return journal;
  }

  /** Opens an existing journal for appending, first cutting off a torn final line. */
  static async openForAppend(file: string, options: JournalOptions = {}): Promise<Journal> {
    const { validBytes } = await readJournal(file);
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, validBytes);
    fdatasyncSync(fd);
    closeSync(fd);
    return new Journal(file, openSync(file, 'a'), options);
  }

  /** Write and fdatasync calls so far. */
  get stats(): JournalStats {
    return { writes: this.writeCount, syncs: this.syncCount, fdatasyncs: this.fdatasyncCount };
  }

  /** Adds a record to the buffer (written at the next commit, or now when the buffer is large). */
  append(record: JournalRecord): void {
    this.appendJson(JSON.stringify(record));
  }

  /**
   * Adds a record already serialised as JSON (the hooks build their fixed-shape records by
   * hand, see `undoRegisteredJson`). The text must be one `JournalRecord`.
   */
  appendJson(body: string): void {
    if (this.isClosed) throw new WritLoreError('internal', `journal ${this.path} is closed`, { path: this.path });
    this.encode(body);
    if (this.length >= FLUSH_THRESHOLD) this.flush();
  }

  /**
   * Makes every record appended so far durable before the promise resolves. Immediate: one
   * write and one fdatasync now. Batched: after the current event-loop turn, so every commit
   * asked for meanwhile (other nodes reaching their write-ahead point) shares them.
   */
  commit(): Promise<void> {
    try {
      return this.commitOrJoin() ?? resolved;
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /**
   * {@link commit} for the executor's hot path: commits at once and returns undefined (the
   * records are durable on return; a failure throws), or joins the waiting batch and returns
   * its promise. A hook that returns undefined costs the executor no `await`.
   */
  commitOrJoin(): Promise<void> | undefined {
    if (!this.isBatching()) {
      this.syncNow();
      return undefined;
    }
    this.joined += 1;
    if (this.waiting === undefined) {
      const batch = pendingCommit();
      this.waiting = batch;
      setImmediate(() => {
        // A sync in between (run end, close) already made this batch durable and settled it.
        if (this.waiting !== batch) return;
        this.batchSize += (this.joined - this.batchSize) / 2;
        try {
          this.syncNow();
          batch.resolve();
        } catch (error) {
          this.waiting = undefined;
          this.joined = 0;
          batch.reject(asError(error));
        }
      });
    }
    return this.waiting.promise;
  }

  /** Whether this commit waits for a batch. */
  private isBatching(): boolean {
    switch (this.mode) {
      case 'immediate':
        return false;
      case 'batched':
        return true;
      case 'adaptive':
        if (this.waiting !== undefined || this.syncMs >= SLOW_SYNC_MS || this.batchSize >= SHARED_BATCH) return true;
        // Fast syncs and lonely batches: commit at once, but look again now and then.
        this.probeIn -= 1;
        if (this.probeIn > 0) return false;
        this.probeIn = PROBE_EVERY;
        return true;
      default:
        return this.mode satisfies never;
    }
  }

  /** Makes every record appended so far durable now: one write and one fdatasync. */
  sync(): Promise<void> {
    try {
      this.syncNow();
      return resolved;
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  private syncNow(): void {
    this.flush();
    if (this.isDirty) {
      if (!this.isInMemory) {
        const started = performance.now();
        fdatasyncSync(this.fd);
        const took = performance.now() - started;
        this.syncMs = this.fdatasyncCount === 0 ? took : this.syncMs + (took - this.syncMs) / 4;
        this.fdatasyncCount += 1;
      }
      this.syncCount += 1;
      this.isDirty = false;
    }
    // Whatever was waiting for the next turn is durable now too.
    const batch = this.waiting;
    if (batch !== undefined) {
      this.waiting = undefined;
      this.joined = 0;
      batch.resolve();
    }
  }

  /**
   * Encodes one line straight into the byte buffer: the JSON as UTF-8 after room for the CRC,
   * then the CRC of those bytes in hex (no intermediate line string, and the CRC is taken over
   * bytes, which costs less than over a string).
   */
  private encode(body: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; 10 more for the CRC, space and newline. A
    // large record (pre-registrations: megabytes) is measured rather than sized for the worst.
    const worst = body.length * 3;
    const needed = this.length + (worst > MAX_KEPT_BUFFER ? Buffer.byteLength(body, 'utf8') : worst) + 10;
    if (needed > this.bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(larger, 0, 0, this.length);
      this.bytes = larger;
    }
    const bytes = this.bytes;
    const start = this.length;
    const end = start + 9 + bytes.write(body, start + 9);
    const crc = crc32(bytes.subarray(start + 9, end));
    for (let shift = 24, at = start; shift >= 0; shift -= 8, at += 2) {
      const digits = ((crc >>> shift) & 0xff) * 2;
      bytes[at] = HEX_DIGITS[digits] as number;
      bytes[at + 1] = HEX_DIGITS[digits + 1] as number;
    }
    bytes[start + 8] = 0x20;
    bytes[end] = 0x0a;
    this.length = end + 1;
  }

  /**
   * Writes the buffered records out in order without waiting for the disk: they survive the
   * process being killed, not the machine going down (for records whose loss is harmless).
   */
  flush(): void {
    const length = this.length;
    if (length === 0) return;
    this.length = 0;
    // One write for the common case; a short write (rare, large batches) continues.
    for (let offset = 0; offset < length; ) offset += writeSync(this.fd, this.bytes, offset, length - offset);
    // A buffer grown for a large record would otherwise stay allocated until the run ends.
    if (this.bytes.length > MAX_KEPT_BUFFER) this.bytes = Buffer.allocUnsafe(BUFFER_SIZE);
    this.writeCount += 1;
    this.isDirty = true;
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
      if (records.length === 0 && !LOOKS_LIKE_RECORD.test(bytes.subarray(start, end).toString('latin1'))) {
        throw notAJournal(file);
      }
      return { records, isTorn: true, validBytes: start };
    }
    records.push(record);
    start = end + 1;
  }
  return { records, isTorn: false, validBytes: start };
}

/** The start of every journal line: a CRC in hex, a space, a JSON object. */
const LOOKS_LIKE_RECORD = /^[0-9a-f]{8} \{/;

/**
 * A file whose first line is whole (it ends in a newline) yet is not even the shape of a record
 * was not written by a run: recovering it as an empty run would hide whatever it is.
 */
function notAJournal(file: string): WritLoreError {
  return new WritLoreError('integrity', 'not a journal: line 1 is not a journal record', {
    path: file,
    line: 1,
    hint: 'if no run was in progress, move the file out of the receipts directory',
  });
}

function decodeLine(text: string, where: string): JournalRecord | undefined {
  const space = text.indexOf(' ');
  if (space !== 8) return undefined;
  const body = text.slice(9);
  if (crc32(body).toString(16).padStart(8, '0') !== text.slice(0, 8)) return undefined;
  return toJournalRecord(JSON.parse(body) as unknown, where);
}
