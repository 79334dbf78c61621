import type { ResolvedSlots } from '../actions/index.js';
import { WritLoreError, errorMessage, type Graph, type GraphState, type JsonValue, type Node, type Phase } from '../graph/index.js';
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
 * run's diagnostics and never fails the run; the one exception is `onUndoRegistered`, whose
 * failure also fails that node before it acts (an unrecorded step could not be recovered).
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

type Callback = (event: never) => void | Promise<void>;

/** One implementation of a hook callback and the object it is called on. */
interface Listener {
  readonly hook: ExecutorHooks;
  readonly callback: Callback;
}

/**
 * Calls hooks safely: in order, awaited, failures turned into diagnostics. Hooks run once per
 * node on the hot path, so a callback that returns synchronously costs a plain call: `emit`
 * returns undefined unless some callback returned a promise (callers skip the `await` then).
 */
export class HookRunner {
  private readonly report: (diagnostic: Diagnostic) => void;
  private readonly listeners = new Map<HookName, readonly Listener[]>();

  constructor(hooks: readonly ExecutorHooks[], report: (diagnostic: Diagnostic) => void) {
    this.report = report;
    const byName = new Map<HookName, Listener[]>();
    for (const hook of hooks) {
      for (const name of Object.keys(hook) as HookName[]) {
        const callback = hook[name];
        if (typeof callback !== 'function') continue;
        const listeners = byName.get(name) ?? [];
        listeners.push({ hook, callback: callback as Callback });
        byName.set(name, listeners);
      }
    }
    for (const [name, listeners] of byName) this.listeners.set(name, listeners);
  }

  /** True when at least one hook implements `name` (lets hot paths skip building the event). */
  has(name: HookName): boolean {
    return this.listeners.has(name);
  }

  /**
   * Calls every implementation of `name` in order; a throw or rejection becomes a `hook-failed`
   * diagnostic. Returns a promise to await when a callback returned one (the later callbacks
   * then run after it settles), else undefined: everything already ran.
   */
  emit<K extends HookName>(name: K, event: HookEvent<K>): Promise<void> | undefined {
    return this.dispatch(name, event, undefined);
  }

  /**
   * Like {@link emit}, for the write-ahead point (`onUndoRegistered`): every callback still runs
   * and a failure is still reported, but the first one is then thrown, so the action does not act
   * on something its journal could not record (DESIGN.md §6). Returns a promise to await when a
   * callback returned one.
   */
  emitWriteAhead<K extends HookName>(name: K, event: HookEvent<K>): Promise<void> | undefined {
    const failures: unknown[] = [];
    const pending = this.dispatch(name, event, failures);
    if (pending !== undefined) return pending.then(() => throwFirst(failures));
    throwFirst(failures);
    return undefined;
  }

  /** The loop of {@link emit}; failures also go into `failures` when it is given. */
  private dispatch<K extends HookName>(name: K, event: HookEvent<K>, failures: unknown[] | undefined): Promise<void> | undefined {
    const listeners = this.listeners.get(name);
    if (listeners === undefined) return undefined;
    for (let index = 0; index < listeners.length; index += 1) {
      const pending = this.call(name, listeners[index] as Listener, event, failures);
      if (pending !== undefined) return this.finish(name, listeners, index, pending, event, failures);
    }
    return undefined;
  }

  /** Awaits the callback at `index`, then calls (and awaits) the ones after it. */
  private async finish<K extends HookName>(
    name: K,
    listeners: readonly Listener[],
    index: number,
    pending: PromiseLike<unknown>,
    event: HookEvent<K>,
    failures?: unknown[],
  ): Promise<void> {
    try {
      await pending;
    } catch (error) {
      this.fail(name, error, failures);
    }
    for (let next = index + 1; next < listeners.length; next += 1) {
      const later = this.call(name, listeners[next] as Listener, event, failures);
      if (later === undefined) continue;
      try {
        await later;
      } catch (error) {
        this.fail(name, error, failures);
      }
    }
  }

  /** Calls one callback; returns what it returned when that is a promise to await. */
  private call<K extends HookName>(
    name: K,
    listener: Listener,
    event: HookEvent<K>,
    failures?: unknown[],
  ): PromiseLike<unknown> | undefined {
    let result: unknown;
    try {
      result = (listener.callback as (event: HookEvent<K>) => unknown).call(listener.hook, event);
    } catch (error) {
      this.fail(name, error, failures);
      return undefined;
    }
    return isPromiseLike(result) ? result : undefined;
  }

  private fail(name: HookName, error: unknown, failures?: unknown[]): void {
    // A hook must never fail the run (DESIGN.md §5); its failure is reported instead. Only the
    // write-ahead point also collects it, to fail the one node that could not be recorded.
    this.report({ kind: 'hook-failed', hook: name, message: errorMessage(error) });
    failures?.push(error);
  }
}

/** Throws the first write-ahead failure, if any, as the node's own failure. */
function throwFirst(failures: readonly unknown[]): void {
  if (failures.length === 0) return;
  throw new WritLoreError('action-failed', `could not record the undo before acting: ${errorMessage(failures[0])}`);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== undefined &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
