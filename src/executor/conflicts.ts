import { dirname, resolve, sep } from 'node:path';
import { WritLoreError, type Graph, type Node } from '../graph/index.js';
import { ON_CONFLICT_VALUES, type TargetState } from '../actions/index.js';

/** How a conflict is resolved (per run, per path, or in the plan through a node's `on_conflict` slot). */
export const CONFLICT_RESOLUTIONS = ON_CONFLICT_VALUES;
/**
 * One of {@link CONFLICT_RESOLUTIONS}. `stop` (the default) aborts before any change and lists
 * every conflict; `backup` moves the item to the backup store and proceeds; `overwrite` does the
 * same but marks the backup disposable (it is still kept for the run so rollback can restore
 * it); `skip` marks the node skipped; `adopt` moves a regular file into the link's source and
 * links back (Stow's `--adopt`).
 */
export type ConflictResolution = (typeof CONFLICT_RESOLUTIONS)[number];

/** What is in the way. */
export const CONFLICT_KINDS = [
  'file',
  'directory',
  'foreign-symlink',
  'changed-since-receipt',
] as const;
/** One of {@link CONFLICT_KINDS}. `changed-since-receipt`: ours once, edited or replaced since. */
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** What the last receipt recorded at a target path (a deployed link, file or directory). */
export interface KnownTarget {
  readonly type?: TargetState['type'];
  /** `sha256:…` of a file the receipt wrote. */
  readonly digest?: string;
  /** Where a link the receipt made points. */
  readonly link_target?: string;
}

/** Target path → what the last receipt left there. */
export type KnownTargets = ReadonlyMap<string, KnownTarget>;

/** One conflict found by preflight, with its evidence and the resolution chosen for it. */
export interface Conflict {
  readonly node: string;
  readonly action: string;
  readonly path: string;
  readonly kind: ConflictKind;
  readonly current: TargetState;
  readonly reason: string;
  readonly resolution: ConflictResolution;
  /** Why the resolution asked for could not be used (it then falls back to `stop`). */
  readonly note?: string;
}

/** Preflight found conflicts whose resolution is `stop`: nothing was changed. */
export class ConflictError extends WritLoreError {
  /** Every conflict found, stopping or not. */
  readonly conflicts: readonly Conflict[];

  constructor(conflicts: readonly Conflict[]) {
    const stopping = conflicts.filter((c) => c.resolution === 'stop');
    const lines = stopping.map(
      (c) => `  ${c.reason} (${c.action} ${c.node}${c.note === undefined ? '' : `; ${c.note}`})`,
    );
    const noun = stopping.length === 1 ? 'conflict' : 'conflicts';
    // One conflict is about its path; several are not about the first one's.
    const only = stopping.length === 1 ? stopping[0] : undefined;
    super('conflict', `${stopping.length} ${noun}; nothing was changed:\n${lines.join('\n')}`, {
      ...(only === undefined ? {} : { path: only.path }),
      // When every conflict says what can resolve it, the general list would mislead.
      hint: stopping.every((c) => c.note !== undefined)
        ? 'each conflict above says what can resolve it'
        : 'choose a resolution for the run or per path: backup, overwrite, skip or adopt',
    });
    this.conflicts = conflicts;
  }
}

/**
 * Whose the item at `path` is: `ours` when it is what the last receipt recorded there, or (with
 * no record) a symlink pointing into one of `ownedRoots` (a source root or layer, as Stow infers
 * ownership); otherwise the kind of conflict it is.
 */
export function classifyOccupant(
  path: string,
  current: TargetState,
  known: KnownTarget | undefined,
  ownedRoots: readonly string[],
): 'ours' | ConflictKind {
  if (known !== undefined) return matchesKnown(current, known) ? 'ours' : 'changed-since-receipt';
  switch (current.type) {
    case 'symlink':
      return pointsInto(path, current.link_target ?? '', ownedRoots) ? 'ours' : 'foreign-symlink';
    case 'directory':
      return 'directory';
    case 'file':
    case 'other':
    case 'missing':
      return 'file';
    default:
      return current.type satisfies never;
  }
}

function matchesKnown(current: TargetState, known: KnownTarget): boolean {
  switch (current.type) {
    case 'symlink':
      return known.link_target !== undefined && known.link_target === current.link_target;
    case 'file':
      return known.digest !== undefined && known.digest === current.digest;
    case 'directory':
      return known.type === 'directory';
    case 'other':
    case 'missing':
      return false;
    default:
      return current.type satisfies never;
  }
}

function pointsInto(path: string, linkTarget: string, roots: readonly string[]): boolean {
  const resolved = resolve(dirname(path), linkTarget);
  return roots.some((root) => {
    const base = resolve(root);
    return resolved === base || resolved.startsWith(base.endsWith(sep) ? base : base + sep);
  });
}

/**
 * What a receipt left on disk, for {@link KnownTargets}: each completed `file.link` (its link
 * target), `file.copy`/`file.write` (its target digest) and `file.mkdir`, keyed by path. Only
 * immediate slots are used; a later receipt's entries should overwrite an earlier one's.
 */
export function knownTargetsOf(receipt: Graph): Map<string, KnownTarget> {
  const known = new Map<string, KnownTarget>();
  for (const node of receipt.nodes) {
    const path = immediateString(node, 'path');
    if (node.status !== 'completed' || path === undefined) continue;
    const entry = knownEntry(node);
    if (entry !== undefined) known.set(path, entry);
  }
  return known;
}

function knownEntry(node: Node): KnownTarget | undefined {
  switch (node.action) {
    case 'file.link': {
      const source = immediateString(node, 'source');
      return source === undefined ? undefined : { type: 'symlink', link_target: source };
    }
    case 'file.copy':
    case 'file.write':
      return node.target_digest === undefined
        ? undefined
        : { type: 'file', digest: node.target_digest };
    case 'file.mkdir':
      return { type: 'directory' };
    default:
      return undefined;
  }
}

function immediateString(node: Node, name: string): string | undefined {
  const slot = node.slots[name];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}
