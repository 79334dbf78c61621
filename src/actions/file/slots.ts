import { dirname, resolve } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import { describeValueType, optionalBytes } from '../slot-values.js';
import type { ResolvedSlots } from '../types.js';

/** Conflict resolutions a file action honours through its optional `on_conflict` slot. */
export const ON_CONFLICT_VALUES = ['stop', 'backup', 'overwrite', 'skip', 'adopt'] as const;
/** One of {@link ON_CONFLICT_VALUES}. */
export type OnConflict = (typeof ON_CONFLICT_VALUES)[number];

/** A slot that must hold a non-empty string. */
export function requireString(slots: ResolvedSlots, name: string, action: string): string {
  const value = slots[name];
  if (typeof value !== 'string' || value === '') {
    throw new WritLoreError(
      'invalid-slot',
      `${action}: slot "${name}" must be a non-empty string`,
      {
        hint: `got ${describeValueType(value)}`,
      },
    );
  }
  return value;
}

/** A slot that may be absent; when present it must be a string. */
export function optionalString(
  slots: ResolvedSlots,
  name: string,
  action: string,
): string | undefined {
  return slots[name] === undefined || slots[name] === null
    ? undefined
    : requireString(slots, name, action);
}

/** The `on_conflict` slot (set by preflight or by the plan), default `backup`. */
export function onConflictSlot(slots: ResolvedSlots, action: string): OnConflict {
  const value = optionalString(slots, 'on_conflict', action) ?? 'backup';
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

/** Where a link's `source` points, resolved like the kernel does (relative to the link's dir). */
export function resolveLinkSource(source: string, path: string): string {
  return resolve(dirname(path), source);
}
