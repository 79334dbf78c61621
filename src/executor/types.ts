import type { Action, ActionLogger, BackupStore, Clock, FsMemo } from '../actions/index.js';
import type { ActionSpec, Graph, GraphState, WritLoreError } from '../graph/index.js';
import type { ExecutorHooks } from './hooks.js';

/**
 * What happens to the rest of a flat run when a node fails: `rollback` stops starting nodes,
 * lets in-flight ones finish and undoes everything; `continue` runs every node that does not
 * depend on the failure; `stop` stops and leaves the rest `pending`.
 */
export type FailurePolicy = 'rollback' | 'continue' | 'stop';

/** Where the executor finds actions by name (the ActionRegistry implements it). */
export interface ActionSource {
  /** The action called `name`, or undefined when none is registered. */
  get(name: string): Action | undefined;
  /** Whether `name` is registered (used, when present, before `get` during validation). */
  has?(name: string): boolean;
  /** The spec of `name` (used, when present, for validation). */
  spec?(name: string): ActionSpec | undefined;
}

/** Options of a {@link GraphExecutor}; only `backups` is required. */
export interface ExecutorOptions {
  /** Maximum nodes running at once (default: the machine's available parallelism). */
  readonly jobs?: number;
  /** What a node failure does to a flat run (default `rollback`). */
  readonly policy?: FailurePolicy;
  /** Time and sleeping (default {@link systemClock}). */
  readonly clock?: Clock;
  /** Run data that fills slots a node leaves unset. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Observers, called in order; a throwing hook is reported, never fatal. */
  readonly hooks?: readonly ExecutorHooks[];
  /** Cancels the run: stops scheduling, aborts in-flight actions, then compensates. */
  readonly signal?: AbortSignal;
  /** Cuts compensation short (a second Ctrl-C): what is left stays, the graph ends `interrupted`. */
  readonly compensationSignal?: AbortSignal;
  /** Where actions put what they displace. */
  readonly backups: BackupStore;
  /** Where action log lines go (prefixed with the node id); default: nowhere. */
  readonly log?: ActionLogger;
  /** Source of randomness in [0, 1) for retry jitter (default `Math.random`). */
  readonly random?: () => number;
  /**
   * What this run's preflight saw on disk, handed to every action (see {@link FsMemo}). Only
   * for a run that holds the run lock and probed under it; default: none (actions look again).
   */
  readonly memo?: FsMemo;
  /** Whether {@link GraphExecutor} validates the graph before running it (default `validate`). */
  readonly validation?: GraphValidation;
}

/**
 * `validate`: the executor validates the graph before its first step. `validated-by-plan`: the
 * caller states that the graph is what `Plan.graph()` returned — validated there against the
 * same actions, with no slot counted as provided by run data — and that nothing but preflight
 * (skips, `on_conflict` slots) has changed it since; it is not validated a second time.
 */
export type GraphValidation = 'validate' | 'validated-by-plan';

/** Something worth telling the user that did not (by itself) fail the run. */
export type Diagnostic =
  | { readonly kind: 'hook-failed'; readonly hook: string; readonly message: string }
  | { readonly kind: 'not-compensable'; readonly node: string; readonly message: string }
  | { readonly kind: 'undo-failed'; readonly node: string; readonly message: string }
  | { readonly kind: 'compensation-failed'; readonly phase: string; readonly message: string }
  | { readonly kind: 'probe-failed'; readonly node: string; readonly message: string }
  | { readonly kind: 'cancelled'; readonly message: string };

/** What `run` returns: the graph (now a receipt), its final state and what went wrong. */
export interface RunReport {
  readonly graph: Graph;
  readonly state: GraphState;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Failures, in the order they happened: `action-failed` for nodes and phases, `cancelled`,
   * `rollback-incomplete` naming what is left to undo by hand.
   */
  readonly errors: readonly WritLoreError[];
}

/** The iteration of a flow body a node runs in (absent outside bodies). */
export interface IterationRef {
  /** The flow node (gather or choose) running the body. */
  readonly flow: string;
  /** The item index (gather) or 0 (choose). */
  readonly index: number;
}
