import { WritLoreError } from '../graph/index.js';
import type { ResolvedSlots } from './types.js';

/**
 * Typed readers for resolved slots. Every action reads its inputs through these so that a
 * missing or mistyped slot is a `WritLoreError('invalid-slot')` naming the slot (and the node,
 * when known), never a crash deep inside the action.
 */

/** A short name for the type of `value`, for error messages (`bytes`, `array`, `null`…). */
export function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function slotError(name: string, problem: string, nodeId: string | undefined): WritLoreError {
  const where = nodeId === undefined ? '' : `node "${nodeId}": `;
  return new WritLoreError('invalid-slot', `${where}slot "${name}" ${problem}`);
}

function wrongType(name: string, expected: string, value: unknown, nodeId?: string): WritLoreError {
  return slotError(name, `must be ${expected}, got ${describeValueType(value)}`, nodeId);
}

function readRequired(slots: ResolvedSlots, name: string, nodeId?: string): unknown {
  const value = slots[name];
  if (value === undefined) throw slotError(name, 'is required but missing', nodeId);
  return value;
}

/** The string slot `name`; throws `invalid-slot` when missing or not a string. */
export function requireString(slots: ResolvedSlots, name: string, nodeId?: string): string {
  const value = readRequired(slots, name, nodeId);
  if (typeof value !== 'string') throw wrongType(name, 'a string', value, nodeId);
  return value;
}

/** The string slot `name`, or undefined when unset; throws when set to a non-string. */
export function optionalString(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): string | undefined {
  return slots[name] === undefined ? undefined : requireString(slots, name, nodeId);
}

/**
 * The non-empty string slot `name` of `action` (a path, a mode); throws `invalid-slot` saying
 * `<action>: slot "<name>" must be a non-empty string` otherwise.
 */
export function requireNonEmptyString(slots: ResolvedSlots, name: string, action: string): string {
  const value = slots[name];
  if (typeof value !== 'string' || value === '') {
    throw new WritLoreError(
      'invalid-slot',
      `${action}: slot "${name}" must be a non-empty string`,
      { hint: `got ${describeValueType(value)}` },
    );
  }
  return value;
}

/** The slot `name` as {@link requireNonEmptyString}, or undefined when unset or null. */
export function optionalNonEmptyString(
  slots: ResolvedSlots,
  name: string,
  action: string,
): string | undefined {
  return slots[name] === undefined || slots[name] === null
    ? undefined
    : requireNonEmptyString(slots, name, action);
}

/** The string-array slot `name`; throws when missing, not an array, or holding a non-string. */
export function requireStringArray(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): readonly string[] {
  const value = readRequired(slots, name, nodeId);
  if (!Array.isArray(value)) throw wrongType(name, 'an array of strings', value, nodeId);
  const items: unknown[] = value;
  items.forEach((item, index) => {
    if (typeof item !== 'string') throw wrongType(`${name}[${index}]`, 'a string', item, nodeId);
  });
  return items as string[];
}

/** The string-array slot `name`, or undefined when unset. */
export function optionalStringArray(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): readonly string[] | undefined {
  return slots[name] === undefined ? undefined : requireStringArray(slots, name, nodeId);
}

const OCTAL_MODE = /^[0-7]{3,4}$/;

/**
 * The file-mode slot `name` as a number (`"0644"` → `0o644`), or undefined when unset. Modes are
 * octal strings in graphs; a number is rejected because it is ambiguous (420 or "0420"?).
 */
export function optionalMode(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): number | undefined {
  const value = slots[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !OCTAL_MODE.test(value)) {
    const got = typeof value === 'string' ? JSON.stringify(value) : describeValueType(value);
    throw slotError(name, `must be an octal mode string such as "0644", got ${got}`, nodeId);
  }
  return Number.parseInt(value, 8);
}

/** The finite number slot `name`, or undefined when unset; throws on any other type. */
export function optionalNumber(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): number | undefined {
  const value = slots[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw wrongType(name, 'a finite number', value, nodeId);
  }
  return value;
}

/** The plain-object slot `name` (variables, env), or undefined when unset. */
export function optionalObject(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): Readonly<Record<string, unknown>> | undefined {
  const value = slots[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isBytes(value)) {
    throw wrongType(name, 'an object', value, nodeId);
  }
  return value as Readonly<Record<string, unknown>>;
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** The bytes of slot `name`: a string (UTF-8) or a Buffer/Uint8Array; throws otherwise. */
export function requireBytes(slots: ResolvedSlots, name: string, nodeId?: string): Buffer {
  const value = readRequired(slots, name, nodeId);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (isBytes(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw wrongType(name, 'a string or bytes', value, nodeId);
}

/** The bytes of slot `name`, or undefined when unset. */
export function optionalBytes(
  slots: ResolvedSlots,
  name: string,
  nodeId?: string,
): Buffer | undefined {
  return slots[name] === undefined ? undefined : requireBytes(slots, name, nodeId);
}
