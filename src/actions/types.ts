import type { ActionSpec, JsonValue } from '../graph/index.js';
import type { BackupStore } from './backup.js';
import type { Clock } from './clock.js';
import type { FlowRuntime } from './flow/runtime.js';
import type { FsMemo } from './fs-state.js';

/** Slot values after resolution: immediates, upstream results (may be Buffers), gather items. */
export type ResolvedSlots = Readonly<Record<string, unknown>>;

/** Where an action's log lines go (captured into the run's log, never into the graph). */
export interface ActionLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** What every action call sees, read-only probes included. */
export interface ProbeContext {
  /** The id of the node being run or probed. */
  readonly nodeId: string;
  /** Aborts when the run is cancelled; long operations must honour it. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** Run data: variables, segments, host facts; fills slots the node leaves unset. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly log: ActionLogger;
  /**
   * What this run already saw on disk (set only by a run holding the run lock, shared by its
   * preflight and its steps); actions may skip a look it answers. Absent: look every time.
   */
  readonly memo?: FsMemo | undefined;
}

/** What `do` and `undo` see. */
export interface ActionContext extends ProbeContext {
  /** Where displaced user data goes before it is replaced or removed. */
  readonly backups: BackupStore;
  /**
   * Registers undo state *before* a destructive step; the executor journals (and fsyncs) it
   * before this promise resolves, so a crash mid-action can still be undone. May be called
   * more than once; the last state registered (or the one `do` returns) wins. `undo` must
   * therefore tolerate a state whose effect happened only partly or not at all.
   */
  registerUndo(state: JsonValue): Promise<void>;
  /** Runs body phases; set by the GraphExecutor for flow actions (`flow.gather`, `flow.choose`). */
  readonly flow?: FlowRuntime;
}

/** What `do` returns. */
export interface ActionOutput {
  /** Handed to promise slots of downstream nodes; never serialised (may hold bytes). */
  readonly result?: unknown;
  /** Serialisable undo state; absent means there is nothing to undo. */
  readonly undo?: JsonValue;
  /** Digests of content read and written (`sha256:…`), recorded on the node. */
  readonly digests?: { readonly source?: string; readonly target?: string };
}

/** What is at a target path now. */
export interface TargetState {
  readonly type: 'missing' | 'file' | 'directory' | 'symlink' | 'other';
  /** `sha256:…` of a regular file's bytes. */
  readonly digest?: string;
  /** Octal string, e.g. `"0644"`. */
  readonly mode?: string;
  /** Where a symlink points. */
  readonly link_target?: string;
}

/** The read-only prediction of what `do` would do to its target. */
export type ProbeOutcome =
  | {
      readonly kind: 'create';
      readonly target?: string;
      readonly detail?: string;
      /**
       * The undo state the step will register when it runs and finds the target as this probe
       * did (only with the run's memo, which then holds the same plan). A recorded run journals
       * it before the run starts, so the step itself need not wait for a journal write. Deep-
       * frozen (`deepFreeze`) and registered by the step as this very object: the journal then
       * knows it unchanged by identity (an unfrozen one is compared by its JSON).
       */
      readonly undo?: JsonValue;
    }
  | {
      readonly kind: 'replace';
      readonly target?: string;
      readonly current: TargetState;
      readonly detail?: string;
      /** `sha256:…` of what would be written, when known. */
      readonly digest?: string;
    }
  | { readonly kind: 'ok-already'; readonly target?: string; readonly detail?: string }
  | {
      readonly kind: 'conflict';
      readonly target?: string;
      /** What is in the way: at the target, or at `parent` when that is set. */
      readonly current: TargetState;
      readonly reason: string;
      /**
       * An ancestor of the target that is not a directory (a file where a directory is needed):
       * no resolution at the target can fix it, so only `skip` (or `stop`) resolves it.
       */
      readonly parent?: string;
    };

/** An action: a named, undoable unit of work. */
export interface Action {
  readonly name: string;
  readonly spec: ActionSpec;
  /** Does the work. Must register undo state before any destructive step. */
  do(ctx: ActionContext, slots: ResolvedSlots): Promise<ActionOutput>;
  /** Undoes the work from its serialisable undo state alone (a receipt is enough). */
  undo?(ctx: ActionContext, state: JsonValue): Promise<void>;
  /** Read-only inspection for dry runs and preflight; never changes anything. */
  probe?(ctx: ProbeContext, slots: ResolvedSlots): Promise<ProbeOutcome>;
}

/** An action that can undo its work. */
export interface CompensableAction extends Action {
  undo(ctx: ActionContext, state: JsonValue): Promise<void>;
}

/** True when `action` implements `undo`. */
export function isCompensable(action: Action): action is CompensableAction {
  return typeof action.undo === 'function';
}

/** A group of actions registered together (file, content, secret, net, archive, shell, pkg, flow). */
export interface ActionProvider {
  readonly name: string;
  readonly actions: readonly Action[];
}
