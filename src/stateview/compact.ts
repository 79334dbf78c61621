import os from 'node:os';
import type { NodeStatus } from '../graph/index.js';
import type { DeriveSpec } from '../receipts/index.js';
import { digestReceipt, type FileEvent, type FileKind, type PackageEvent, type ReceiptRow } from './digest.js';
import type { FileRecord } from './entries.js';
import { scanCompactDigest } from './scan.js';

/*
 * The cached form of a receipt's digest: file events as a flat integer array indexing one
 * string table, instead of one JSON object per event. A StateView over a million events parses
 * a few large arrays instead of a million objects, and materialises a FileRecord only when its
 * history is read.
 */

/** Integers per file event in {@link CompactDigest.events}. */
export const EVENT_WIDTH = 10;
// Field offsets inside one event; -1 marks an absent optional string.
const PATH = 0;
const ACTION = 1;
const STATUS = 2;
const KIND = 3;
const SECRET = 4;
const SOURCE = 5;
const SOURCE_DIGEST = 6;
const TARGET_DIGEST = 7;
const PROJECT = 8;
const LAYER = 9;

/** A receipt digest in cache form. */
export interface CompactDigest {
  readonly row: ReceiptRow;
  readonly strings: readonly string[];
  /** {@link EVENT_WIDTH} integers per event (a plain array, or an Int32Array read from the cache). */
  readonly events: ArrayLike<number>;
  readonly packages: readonly PackageEvent[];
  /** The run each replayed-undo event undid, by event index (sparse: most receipts have none). */
  readonly undoes?: Readonly<Record<string, string>>;
}

/** Packs file events into a string table and an integer array. */
export function compactDigest(row: ReceiptRow, files: readonly FileEvent[], packages: readonly PackageEvent[]): CompactDigest {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (value: string | undefined): number => {
    if (value === undefined) return -1;
    let found = index.get(value);
    if (found === undefined) {
      found = strings.length;
      strings.push(value);
      index.set(value, found);
    }
    return found;
  };
  // Sized once: growing a plain array of 500k numbers (50k events) copies it again and again.
  const events = new Int32Array(files.length * EVENT_WIDTH);
  const undoes: Record<string, string> = {};
  for (let number = 0; number < files.length; number += 1) {
    const event = files[number] as FileEvent;
    if (event.undoes !== undefined) undoes[number] = event.undoes;
    const at = number * EVENT_WIDTH;
    events[at + PATH] = intern(event.path);
    events[at + ACTION] = intern(event.action);
    events[at + STATUS] = intern(event.status);
    events[at + KIND] = intern(event.kind);
    events[at + SECRET] = event.isSecret ? 1 : 0;
    events[at + SOURCE] = intern(event.source);
    events[at + SOURCE_DIGEST] = intern(event.source_digest);
    events[at + TARGET_DIGEST] = intern(event.target_digest);
    events[at + PROJECT] = intern(event.project);
    events[at + LAYER] = intern(event.layer);
  }
  return { row, strings, events, packages, ...(Object.keys(undoes).length === 0 ? {} : { undoes }) };
}

/** The cached derivation of a compact digest (bump `version` when the layout changes). */
export function compactDigestSpec(stem: string): DeriveSpec<CompactDigest> {
  return {
    // The events are cached as the bytes of an Int32Array in this machine's byte order.
    name: `stateview-compact-${os.endianness()}`,
    version: 3,
    derive: (graph, check) => {
      const digest = digestReceipt(graph, stem, check);
      return compactDigest(digest.row, digest.files, digest.packages);
    },
    scan: (text, check) => scanCompactDigest(text, stem, check),
    // A million events parse as one base64 string far faster than as a JSON array of numbers.
    toCache: (digest) => ({ ...digest, events: int32Bytes(digest.events).toString('base64') }),
    fromCache: (cached) => {
      const { events } = cached as { events?: unknown };
      if (typeof events !== 'string') return undefined;
      const bytes = Buffer.from(events, 'base64');
      if (bytes.byteLength % (4 * EVENT_WIDTH) !== 0) return undefined;
      // Copied into a fresh, aligned buffer: a decoded Buffer may sit at any offset of a pool.
      const copy = new Int32Array(bytes.byteLength / 4);
      new Uint8Array(copy.buffer).set(bytes);
      return { ...(cached as Omit<CompactDigest, 'events'>), events: copy };
    },
  };
}

/** The bytes of `values` as 32-bit integers in this machine's byte order (a view when they already are). */
function int32Bytes(values: ArrayLike<number>): Buffer {
  const array = values instanceof Int32Array ? values : Int32Array.from(values);
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** The target path of event `event` of a compact digest. */
export function eventPath(digest: CompactDigest, event: number): string {
  return digest.strings[digest.events[event * EVENT_WIDTH + PATH] ?? -1] ?? '';
}

/** The number of file events in a compact digest. */
export function eventCount(digest: CompactDigest): number {
  return Math.floor(digest.events.length / EVENT_WIDTH);
}

/** Builds the FileRecord of event `event` of `digest`. */
export function eventRecord(digest: CompactDigest, event: number): FileRecord {
  const { strings, events, row } = digest;
  const at = event * EVENT_WIDTH;
  const text = (offset: number): string | undefined => {
    const position = events[at + offset] ?? -1;
    return position < 0 ? undefined : strings[position];
  };
  const record: { -readonly [K in keyof FileRecord]: FileRecord[K] } = {
    time: row.timestamp,
    receipt: row.stem,
    tool: row.tool,
    action: text(ACTION) ?? '',
    status: (text(STATUS) ?? 'pending') as NodeStatus,
    kind: (text(KIND) ?? 'other') as FileKind,
    isSecret: events[at + SECRET] === 1,
  };
  const source = text(SOURCE);
  const sourceDigest = text(SOURCE_DIGEST);
  const targetDigest = text(TARGET_DIGEST);
  const project = text(PROJECT);
  const layer = text(LAYER);
  const undoes = digest.undoes?.[event];
  if (source !== undefined) record.source = source;
  if (sourceDigest !== undefined) record.source_digest = sourceDigest;
  if (targetDigest !== undefined) record.target_digest = targetDigest;
  if (project !== undefined) record.project = project;
  if (layer !== undefined) record.layer = layer;
  if (undoes !== undefined) record.undoes = undoes;
  return record;
}
