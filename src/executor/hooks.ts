import type { ResolvedSlots } from '../actions/index.js';
import { errorMessage, type Graph, type GraphState, type JsonValue, type Node, type Phase } from '../graph/index.js';
import type { Diagnostic, IterationRef } from './types.js';

/** How a node ended, as hooks see it. */
export type NodeOutcome =
  | { readonly kind: 'completed'; readonly result: unknown }
  | { readonly kind: 'failed'; readonly error: unknown };

/** How one undo went, as hooks see it. */
export type CompensateOutcome =
  | { readonly kind: 'compensated' }
  | { readonly kind: 'not-compensable'; readonly message: string }
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Observers of a run: progress display, journal, metrics. Every callback may be async and is
 * awaited before the executor goes on, so a write-ahead journal can fsync in
 * `onUndoRegistered` before the action's destructive step. A throwing hook is reported in the
 * run's diagnostics and never fails the run.
 */
export interface ExecutorHooks {
  /** Before anything runs. */
  onRunStart?(event: { readonly graph: Graph }): void | Promise<void>;
  /** After the graph has its final state and summary. */
  onRunEnd?(event: { readonly graph: Graph; readonly state: GraphState }): void | Promise<void>;
  /** Before a node's action is called, with its resolved slots (may hold secrets: never log). */
  onNodeStart?(event: NodeStartEvent): void | Promise<void>;
  /** After a node's action returned or threw. */
  onNodeComplete?(event: NodeCompleteEvent): void | Promise<void>;
  /** Undo state registered for a node, before the action acts on it (write-ahead point). */
  onUndoRegistered?(event: UndoRegisteredEvent): void | Promise<void>;
  /** Before each attempt of a phase (and before a compensation phase). */
  onPhaseStart?(event: { readonly phase: Phase; readonly attempt: number }): void | Promise<void>;
  /** After each attempt of a phase; `error` is set when the attempt failed. */
  onPhaseComplete?(event: PhaseCompleteEvent): void | Promise<void>;
  /** Before waiting to retry a failed phase. */
  onRetry?(event: RetryEvent): void | Promise<void>;
  /** After a node's undo ran (or was refused). */
  onCompensate?(event: CompensateEvent): void | Promise<void>;
}

/** See {@link ExecutorHooks.onNodeStart}. */
export interface NodeStartEvent {
  readonly node: Node;
  readonly slots: ResolvedSlots;
  readonly iteration?: IterationRef;
}
/** See {@link ExecutorHooks.onNodeComplete}. */
export interface NodeCompleteEvent {
  readonly node: Node;
  readonly outcome: NodeOutcome;
  readonly iteration?: IterationRef;
}
/** See {@link ExecutorHooks.onUndoRegistered}. */
export interface UndoRegisteredEvent {
  readonly node: Node;
  readonly undo: JsonValue;
  readonly iteration?: IterationRef;
}
/** See {@link ExecutorHooks.onPhaseComplete}. */
export interface PhaseCompleteEvent {
  readonly phase: Phase;
  readonly attempt: number;
  readonly error?: string;
}
/** See {@link ExecutorHooks.onRetry}. */
export interface RetryEvent {
  readonly phase: Phase;
  /** The attempt about to start (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: string;
}
/** See {@link ExecutorHooks.onCompensate}. */
export interface CompensateEvent {
  readonly node: Node;
  readonly outcome: CompensateOutcome;
  readonly iteration?: IterationRef;
}

/** The names of the hook callbacks. */
export type HookName = keyof ExecutorHooks;
type HookEvent<K extends HookName> = Parameters<NonNullable<ExecutorHooks[K]>>[0];

/** Calls hooks safely: in order, awaited, failures turned into diagnostics. */
export class HookRunner {
  private readonly hooks: readonly ExecutorHooks[];
  private readonly report: (diagnostic: Diagnostic) => void;
  private readonly present = new Set<HookName>();

  constructor(hooks: readonly ExecutorHooks[], report: (diagnostic: Diagnostic) => void) {
    this.hooks = hooks;
    this.report = report;
    for (const hook of hooks) {
      for (const name of Object.keys(hook) as HookName[]) {
        if (typeof hook[name] === 'function') this.present.add(name);
      }
    }
  }

  /** True when at least one hook implements `name` (lets hot paths skip the await). */
  has(name: HookName): boolean {
    return this.present.has(name);
  }

  /** Calls every implementation of `name` in order; a throw becomes a `hook-failed` diagnostic. */
  async emit<K extends HookName>(name: K, event: HookEvent<K>): Promise<void> {
    if (!this.present.has(name)) return;
    for (const hook of this.hooks) {
      const callback = hook[name] as ((event: HookEvent<K>) => void | Promise<void>) | undefined;
      if (callback === undefined) continue;
      try {
        await callback.call(hook, event);
      } catch (error) {
        // A hook must never fail the run (DESIGN.md §5); its failure is reported instead.
        this.report({ kind: 'hook-failed', hook: name, message: errorMessage(error) });
      }
    }
  }
}
