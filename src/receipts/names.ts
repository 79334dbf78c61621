import { TOOLS, WritLoreError, type Tool } from '../graph/index.js';

/** The file extension of a receipt. */
export const RECEIPT_EXTENSION = '.yaml';
/** The file extension of a run's journal (next to its future receipt). */
export const JOURNAL_EXTENSION = '.journal';

/** What a receipt name says: tool, time (UTC ISO with ms) and collision suffix (1 = none). */
export interface ReceiptName {
  /** The name without extension, e.g. `writ-2026-11-01T12-00-00-000Z-2`. */
  readonly stem: string;
  readonly tool: Tool;
  /** The graph's timestamp, `2026-11-01T12:00:00.000Z`. */
  readonly timestamp: string;
  /** Milliseconds since the epoch of `timestamp` (for sorting and filtering). */
  readonly time: number;
  /** 1 for the first receipt of that second-and-millisecond, 2, 3… for collisions. */
  readonly sequence: number;
}

const NAME = /^(writ|lore)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-([2-9]|[1-9]\d+))?$/;

function isTool(value: string): value is Tool {
  return (TOOLS as readonly string[]).includes(value);
}

/**
 * The receipt stem for a graph: `<tool>-YYYY-MM-DDTHH-MM-SS-mmmZ` from its UTC timestamp, with
 * `-N` appended for the N-th receipt of the same instant (N ≥ 2).
 */
export function receiptStem(tool: Tool, timestamp: string, sequence = 1): string {
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) {
    throw new WritLoreError('invalid-input', `graph timestamp ${JSON.stringify(timestamp)} is not a date`);
  }
  const iso = new Date(time).toISOString().replace(/:/g, '-').replace('.', '-');
  return sequence <= 1 ? `${tool}-${iso}` : `${tool}-${iso}-${sequence}`;
}

/** The receipt file name (stem + `.yaml`): the basename its checksum covers. */
export function receiptFileName(stem: string): string {
  return stem + RECEIPT_EXTENSION;
}

/** `name` without a trailing `.yaml` or `.journal`, and without directories. */
export function stemOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  for (const extension of [RECEIPT_EXTENSION, JOURNAL_EXTENSION]) {
    if (base.endsWith(extension)) return base.slice(0, -extension.length);
  }
  return base;
}

/** Parses a receipt stem or file name; undefined when it is not one. */
export function parseReceiptName(name: string): ReceiptName | undefined {
  const stem = stemOf(name);
  const match = NAME.exec(stem);
  if (match === null) return undefined;
  const [, tool, day, hours, minutes, seconds, millis, suffix] = match;
  if (tool === undefined || !isTool(tool)) return undefined;
  const timestamp = `${day}T${hours}:${minutes}:${seconds}.${millis}Z`;
  const time = Date.parse(timestamp);
  if (Number.isNaN(time) || new Date(time).toISOString() !== timestamp) return undefined;
  return { stem, tool, timestamp, time, sequence: suffix === undefined ? 1 : Number(suffix) };
}

/** Orders receipt names by time, then collision sequence (oldest first). */
export function compareReceiptNames(a: ReceiptName, b: ReceiptName): number {
  return a.time - b.time || a.sequence - b.sequence || (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0);
}
