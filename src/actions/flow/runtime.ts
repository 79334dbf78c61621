import type { JsonObject, JsonValue } from '../../graph/index.js';

/** One body node's undo registration inside a flow iteration. */
export interface BodyUndoEntry extends JsonObject {
  readonly node: string;
  readonly action: string;
  readonly undo: JsonValue;
}

/** The serialisable undo state of one body run (one gather item, or one choose branch). */
export interface BodyUndo extends JsonObject {
  /** The body phase that ran. */
  readonly phase: string;
  /** The item index (0 for a choose branch). */
  readonly index: number;
  /** Undo registrations in node start order; undone from the last. */
  readonly entries: readonly BodyUndoEntry[];
}

/** How a body run ended. A failed body has already undone its own completed nodes. */
export type BodyOutcome =
  | { readonly kind: 'completed'; readonly result: unknown; readonly undo: BodyUndo }
  | { readonly kind: 'failed'; readonly error: unknown; readonly undoErrors: readonly string[] };

/** Options of {@link FlowRuntime.runBody}. */
export interface BodyRunOptions {
  /** The item index (gather) or 0 (choose); names the iteration in hooks and undo state. */
  readonly index: number;
  /** When present, proxy slots on the running flow node resolve to `item.value`. */
  readonly item?: { readonly value: unknown };
  /** Aborts this body run (fail-fast of sibling iterations, or run cancellation). */
  readonly signal: AbortSignal;
  /**
   * Called (and awaited) each time a body node registers undo state, with the iteration's
   * undo state so far; flow actions re-register their own undo state here (write-ahead).
   */
  onUndo?(undo: BodyUndo): Promise<void>;
  /** Called as soon as a node of this run fails (before it unwinds), so siblings can stop. */
  onFailure?(): void;
}

/**
 * What the executor gives flow actions (`ActionContext.flow`) to run body phases as real
 * nodes: with hooks, statuses, timestamps and undo registration like any other node.
 */
export interface FlowRuntime {
  /** True when the graph has a phase called `id`. */
  hasPhase(id: string): boolean;
  /**
   * Runs the nodes of body phase `phaseId` once, isolated from other runs of the same body (own
   * results, own recovery stack). The run's result is that of the phase's last listed node.
   */
  runBody(phaseId: string, options: BodyRunOptions): Promise<BodyOutcome>;
  /** Undoes one body run from its undo state, last node first; throws if any undo failed. */
  undoBody(undo: BodyUndo): Promise<void>;
}
