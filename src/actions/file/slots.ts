import { dirname, resolve } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import { optionalBytes, optionalNonEmptyString } from '../slot-values.js';
import type { ResolvedSlots } from '../types.js';

/** Conflict resolutions a file action honours through its optional `on_conflict` slot. */
export const ON_CONFLICT_VALUES = ['stop', 'backup', 'overwrite', 'skip', 'adopt'] as const;
/** One of {@link ON_CONFLICT_VALUES}. */
export type OnConflict = (typeof ON_CONFLICT_VALUES)[number];

/** The `on_conflict` slot (set by preflight or by the plan), default `backup`. */
export function onConflictSlot(slots: ResolvedSlots, action: string): OnConflict {
  const value = optionalNonEmptyString(slots, 'on_conflict', action) ?? 'backup';
  if (!(ON_CONFLICT_VALUES as readonly string[]).includes(value)) {
    throw new WritLoreError(
      'invalid-slot',
      `${action}: unknown on_conflict ${JSON.stringify(value)}`,
      {
        hint: `use one of ${ON_CONFLICT_VALUES.join(', ')}`,
      },
    );
  }
  return value as OnConflict;
}

/** Bytes from the `content` slot: a string (UTF-8) or bytes; undefined when unset. */
export function contentBytes(slots: ResolvedSlots): Uint8Array | undefined {
  return slots['content'] === null ? undefined : optionalBytes(slots, 'content');
}

/** `//`, a `.` or `..` segment, or a trailing slash: what `path.resolve` would change in an absolute path. */
const NEEDS_NORMALIZING = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

/** Where a link's `source` points, resolved like the kernel does (relative to the link's dir). */
export function resolveLinkSource(source: string, path: string): string {
  // An absolute source already in normal form resolves to itself (the common case; saves a
  // string or two per link, thousands of times a run).
  if (source.charCodeAt(0) === 47 && !NEEDS_NORMALIZING.test(source)) return source;
  return resolve(dirname(path), source);
}
