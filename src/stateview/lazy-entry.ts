import { eventRecord, type CompactDigest } from './compact.js';
import type { FileEntry, FileRecord } from './entries.js';

// A reference to one event: digest index × 2^21 + event index (a receipt of up to 2M events).
const EVENT_BITS = 2 ** 21;

/**
 * A FileEntry whose history is built from compact digests on first read. Views that only look
 * at the latest record of each path (the deployed tree, the summary) never build the rest.
 */
export class LazyFileEntry implements FileEntry {
  readonly path: string;
  private readonly digests: readonly CompactDigest[];
  private readonly refs: number[] = [];
  private records: FileRecord[] | undefined;

  constructor(path: string, digests: readonly CompactDigest[]) {
    this.path = path;
    this.digests = digests;
  }

  /** Appends event `event` of digest number `digest` (call in time order). */
  push(digest: number, event: number): void {
    this.refs.push(digest * EVENT_BITS + event);
    this.records = undefined;
  }

  /** Every record, oldest first. */
  get history(): readonly FileRecord[] {
    this.records ??= this.refs.map((ref) => this.recordOf(ref));
    return this.records;
  }

  /** The records newest first, each built when reached (the latest is usually all a view reads). */
  *newestFirst(): Iterable<FileRecord> {
    for (let index = this.refs.length - 1; index >= 0; index -= 1) yield this.recordOf(this.refs[index] ?? 0);
  }

  private recordOf(ref: number): FileRecord {
    const digest = this.digests[Math.floor(ref / EVENT_BITS)];
    if (digest === undefined) throw new RangeError(`no digest for event reference ${ref}`);
    return eventRecord(digest, ref % EVENT_BITS);
  }
}
