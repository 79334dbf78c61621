import { WritLoreError, type JsonValue } from '../../graph/index.js';
import type { BackupRef } from '../backup.js';
import type { TargetState } from '../types.js';

/** A {@link TargetState} as plain JSON (what was at a path before or after a step). */
export type StateRecord = {
  readonly type: TargetState['type'];
  readonly digest?: string;
  readonly mode?: string;
  readonly link_target?: string;
};

/** What a placing action puts at its target. */
export type Placed =
  | { readonly type: 'symlink'; readonly link_target: string }
  | { readonly type: 'file'; readonly digest: string; readonly mode: string }
  | { readonly type: 'directory'; readonly mode: string };

/**
 * Undo state of every file action. Each records the prior state and where a displaced item
 * went in the backup store, so that undo restores bytes, mode, type and link target exactly.
 * Registered before the first change, so undo must accept a step that never happened or
 * happened only in part.
 */
export type FileUndo =
  /** link, copy, write, mkdir: something new was put at `path`, the old item backed up. */
  | {
      readonly kind: 'place';
      readonly path: string;
      readonly prior: StateRecord;
      readonly backup: BackupRef | null;
      readonly placed: Placed;
      /** Parent directories created, outermost first. */
      readonly created_dirs: readonly string[];
    }
  /** remove, unlink, backup: the item at `path` went to the backup store. */
  | {
      readonly kind: 'displace';
      readonly path: string;
      readonly prior: StateRecord;
      readonly backup: BackupRef;
    }
  /** move: `source` was renamed to `path`; whatever was at `path` went to the backup store. */
  | {
      readonly kind: 'move';
      readonly source: string;
      readonly path: string;
      readonly moved: StateRecord;
      readonly prior: StateRecord;
      readonly backup: BackupRef | null;
      readonly created_dirs: readonly string[];
    }
  /** link with `adopt`: the file at `path` became `source` (old source backed up), then linked. */
  | {
      readonly kind: 'adopt';
      readonly path: string;
      readonly source: string;
      readonly adopted: StateRecord;
      readonly source_prior: StateRecord;
      readonly source_backup: BackupRef;
      readonly link_target: string;
    };

/** A {@link TargetState} as a {@link StateRecord}. */
export function toRecord(state: TargetState): StateRecord {
  return { ...state };
}

/** Reads undo state back, checking its shape (a bad state is an error, never a silent no-op). */
export function parseFileUndo(state: JsonValue, action: string): FileUndo {
  const r = new UndoReader(state, action);
  switch (r.object['kind']) {
    case 'place':
      return {
        kind: 'place',
        path: r.str('path'),
        prior: r.record('prior'),
        backup: r.ref('backup'),
        placed: r.placed('placed'),
        created_dirs: r.dirs('created_dirs'),
      };
    case 'displace':
      return {
        kind: 'displace',
        path: r.str('path'),
        prior: r.record('prior'),
        backup: r.requiredRef('backup'),
      };
    case 'move':
      return {
        kind: 'move',
        source: r.str('source'),
        path: r.str('path'),
        moved: r.record('moved'),
        prior: r.record('prior'),
        backup: r.ref('backup'),
        created_dirs: r.dirs('created_dirs'),
      };
    case 'adopt':
      return {
        kind: 'adopt',
        path: r.str('path'),
        source: r.str('source'),
        adopted: r.record('adopted'),
        source_prior: r.record('source_prior'),
        source_backup: r.requiredRef('source_backup'),
        link_target: r.str('link_target'),
      };
    default:
      return r.fail(`has unknown kind ${JSON.stringify(r.object['kind'])}`);
  }
}

/** Typed field access over an undo state, failing with `invalid-input` on the first bad field. */
class UndoReader {
  readonly object: Readonly<Record<string, JsonValue>>;

  constructor(
    private readonly state: JsonValue,
    private readonly action: string,
  ) {
    this.object = asObject(state, action);
  }

  fail(what: string): never {
    throw new WritLoreError('invalid-input', `${this.action}: undo state ${what}`, {
      hint: JSON.stringify(this.state),
    });
  }

  str(key: string): string {
    const value = this.object[key];
    return typeof value === 'string' ? value : this.fail(`lacks "${key}"`);
  }

  record(key: string): StateRecord {
    return asState(this.object[key]) ?? this.fail(`has a bad "${key}"`);
  }

  placed(key: string): Placed {
    const state = asState(this.object[key]);
    return state !== undefined && isPlaced(state) ? state : this.fail(`has a bad "${key}"`);
  }

  ref(key: string): BackupRef | null {
    const value = this.object[key];
    return value === null ? null : (asRef(value) ?? this.fail(`has a bad "${key}"`));
  }

  requiredRef(key: string): BackupRef {
    return this.ref(key) ?? this.fail(`lacks "${key}"`);
  }

  dirs(key: string): readonly string[] {
    const value = this.object[key];
    const ok = Array.isArray(value) && value.every((d) => typeof d === 'string');
    return ok ? (value as string[]) : this.fail(`has a bad "${key}"`);
  }
}

function asObject(state: JsonValue, action: string): Readonly<Record<string, JsonValue>> {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new WritLoreError('invalid-input', `${action}: undo state must be an object`, {
      hint: JSON.stringify(state),
    });
  }
  return state as Readonly<Record<string, JsonValue>>;
}

const STATE_TYPES: readonly string[] = ['missing', 'file', 'directory', 'symlink', 'other'];

function asState(value: JsonValue | undefined): StateRecord | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Readonly<Record<string, JsonValue>>;
  if (typeof v['type'] !== 'string' || !STATE_TYPES.includes(v['type'])) return undefined;
  for (const key of ['digest', 'mode', 'link_target']) {
    if (v[key] !== undefined && typeof v[key] !== 'string') return undefined;
  }
  return v as StateRecord;
}

function isPlaced(state: StateRecord): state is Placed {
  switch (state.type) {
    case 'symlink':
      return state.link_target !== undefined;
    case 'file':
      return state.digest !== undefined && state.mode !== undefined;
    case 'directory':
      return state.mode !== undefined;
    default:
      return false;
  }
}

function asRef(value: JsonValue | undefined): BackupRef | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Readonly<Record<string, JsonValue>>;
  const typeOk = v['type'] === 'file' || v['type'] === 'directory' || v['type'] === 'symlink';
  return typeof v['id'] === 'string' && typeof v['original'] === 'string' && typeOk
    ? (v as BackupRef)
    : undefined;
}
