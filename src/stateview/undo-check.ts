import { readTargetState, type TargetState } from '../actions/index.js';
import type { UndoItem } from './deployments.js';

/** How a target compares with what the run left there. */
export type UndoCheck =
  | { readonly kind: 'as-left' }
  | { readonly kind: 'already-undone' }
  | { readonly kind: 'drifted'; readonly path: string; readonly expected: string; readonly now: string };

/**
 * Whether the item's target is still what its run left there. Only file undo states are
 * understood (what writ makes); anything else is reported as drifted so nothing is guessed.
 */
export async function checkUndoItem(item: UndoItem): Promise<UndoCheck> {
  const undo = asRecord(item.node.undo);
  const target = typeof undo['path'] === 'string' ? undo['path'] : undefined;
  if (target === undefined) return { kind: 'drifted', path: item.node.id, expected: 'a file undo state', now: 'something else' };
  const now = await readTargetState(target);
  const left = leftBehind(undo);
  if (left !== undefined && matches(now, left)) return { kind: 'as-left' };
  const prior = asRecord(undo['prior']);
  if (typeof prior['type'] === 'string' && matches(now, prior as unknown as TargetState)) return { kind: 'already-undone' };
  return { kind: 'drifted', path: target, expected: left === undefined ? 'unknown' : describeTargetState(left), now: describeTargetState(now) };
}

/**
 * Whether undoing `newer` (a later run's entry for the same path) puts back what `older` left
 * there: false when the path changed between the two runs (a copy edited, then overwritten by
 * the later run), or when the states are not file undo states writ understands.
 */
export function restoresLeftBehind(older: UndoItem, newer: UndoItem): boolean {
  const left = leftBehind(asRecord(older.node.undo));
  const undo = asRecord(newer.node.undo);
  const prior = asRecord(undo['kind'] === 'adopt' ? undo['adopted'] : undo['prior']);
  return left !== undefined && typeof prior['type'] === 'string' && matches(prior as unknown as TargetState, left);
}

/** A target state in one token: `missing`, `symlink:TARGET`, `file:DIGEST:MODE`. */
export function describeTargetState(state: TargetState): string {
  switch (state.type) {
    case 'missing':
    case 'directory':
    case 'other':
      return state.type;
    case 'symlink':
      return `symlink:${state.link_target ?? ''}`;
    case 'file':
      return `file:${state.digest ?? ''}:${state.mode ?? ''}`;
    default:
      return state.type satisfies never;
  }
}

/** What the run left at the target, from its undo state. */
function leftBehind(undo: Readonly<Record<string, unknown>>): TargetState | undefined {
  switch (undo['kind']) {
    case 'place':
      return asRecord(undo['placed']) as unknown as TargetState;
    case 'adopt':
      return { type: 'symlink', link_target: String(undo['link_target']) };
    case 'displace':
      return { type: 'missing' };
    default:
      return undefined;
  }
}

/** Same type and, where recorded, the same link target or bytes (modes are not compared). */
function matches(now: TargetState, expected: TargetState): boolean {
  if (now.type !== expected.type) return false;
  if (now.type === 'symlink') return now.link_target === expected.link_target;
  if (now.type === 'file') return expected.digest === undefined || now.digest === expected.digest;
  return true;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
