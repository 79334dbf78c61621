import {
  ActionRegistry,
  NotCompensableError,
  flowProvider,
  type Action,
  type ActionContext,
  type BackupStore,
  type ResolvedSlots,
} from '../../src/actions/index.js';
import {
  WritLoreError,
  type Edge,
  type Graph,
  type JsonValue,
  type Node,
  type Phase,
  type RetryPolicy,
  type Slot,
} from '../../src/graph/index.js';
import { pendingGraph } from '../helpers/graph.js';

/** A promise with its resolve/reject handles, for holding an action mid-flight. */
export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** A new {@link Deferred}. */
export function deferred(): Deferred {
  let resolve = (): void => undefined;
  let reject = (_error: unknown): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** How a node fails on demand: before acting, or after registering undo and acting (half-done). */
export type FailureMode = 'before' | 'after';

/**
 * Recording test actions: `test.record` appends `do:ID[tag]` / `undo:ID[tag]` to `log`, keeps the
 * set of applied effects, fails on demand (for the first `times` calls), waits on gates;
 * `test.plain` does the same but cannot undo.
 */
export class Recorder {
  readonly log: string[] = [];
  /** Effects currently applied (key `ID[tag]`); undo removes them. */
  readonly applied = new Set<string>();
  /** How many times each effect key was undone. */
  readonly undone = new Map<string, number>();
  /** Effects in the order they were applied. */
  readonly appliedOrder: string[] = [];
  readonly running = new Set<string>();
  maxRunning = 0;
  private readonly failures = new Map<string, { mode: FailureMode; times: number; retryable?: boolean }>();
  private readonly undoFailures = new Set<string>();
  private readonly gates = new Map<string, Deferred>();
  private readonly delays = new Map<string, number>();
  readonly registry: ActionRegistry;

  constructor() {
    this.registry = new ActionRegistry()
      .register(this.action('test.record', true))
      .register(this.action('test.plain', false))
      .registerProvider(flowProvider);
  }

  /** Makes node `id` (or one item's call, `ID[tag]`) fail (the first `times` calls; default always). */
  failOn(id: string, mode: FailureMode = 'before', times = Number.POSITIVE_INFINITY, retryable?: boolean): this {
    this.failures.set(id, retryable === undefined ? { mode, times } : { mode, times, retryable });
    return this;
  }

  /** Makes the undo of node `id` throw. */
  failUndoOn(id: string): this {
    this.undoFailures.add(id);
    return this;
  }

  /** Makes node `id` yield `turns` event-loop turns before it registers undo (reorders registrations). */
  delayOn(id: string, turns: number): this {
    this.delays.set(id, turns);
    return this;
  }

  /** Holds node `id` until the returned deferred resolves. */
  gate(id: string): Deferred {
    const gate = deferred();
    this.gates.set(id, gate);
    return gate;
  }

  /** The log filtered to one kind (`do` or `undo`), without the prefix. */
  entries(kind: 'do' | 'undo'): string[] {
    return this.log.filter((line) => line.startsWith(`${kind}:`)).map((line) => line.slice(kind.length + 1));
  }

  private action(name: string, compensable: boolean): Action {
    const recorder = this;
    const action: Action = {
      name,
      spec: { required: [], optional: ['value', 'tag', 'input'] },
      do: (ctx, slots) => recorder.run(ctx, slots),
    };
    if (!compensable) {
      return {
        ...action,
        undo: (_ctx, state) => {
          throw new NotCompensableError(`cannot undo ${JSON.stringify(state)}`);
        },
      };
    }
    return { ...action, undo: (_ctx, state) => recorder.undo(state) };
  }

  private async run(ctx: ActionContext, slots: ResolvedSlots): Promise<{ result: unknown; undo?: JsonValue }> {
    const key = effectKey(ctx.nodeId, slots.tag);
    this.running.add(key);
    this.maxRunning = Math.max(this.maxRunning, this.running.size);
    try {
      const gate = this.gates.get(ctx.nodeId);
      if (gate !== undefined) await waitOrAbort(gate.promise, ctx.signal);
      for (let turn = this.delays.get(ctx.nodeId) ?? 0; turn > 0; turn -= 1) await new Promise((resolve) => setImmediate(resolve));
      const failure = this.failures.get(key) ?? this.failures.get(ctx.nodeId);
      const failing = failure !== undefined && failure.times > 0;
      if (failing) failure.times -= 1;
      if (failing && failure.mode === 'before') {
        const details = failure.retryable === undefined ? {} : { retryable: failure.retryable };
        throw new WritLoreError('action-failed', `${key} failed on purpose`, details);
      }
      await ctx.registerUndo({ key });
      this.log.push(`do:${key}`);
      this.applied.add(key);
      this.appliedOrder.push(key);
      if (failing) throw new WritLoreError('action-failed', `${key} failed on purpose after acting`);
      return { result: slots.value ?? slots.input ?? key };
    } finally {
      this.running.delete(key);
    }
  }

  private async undo(state: JsonValue): Promise<void> {
    await Promise.resolve();
    const key = (state as { key: string }).key;
    this.log.push(`undo:${key}`);
    const id = key.replace(/\[.*$/u, '');
    if (this.undoFailures.has(id)) throw new WritLoreError('internal', `undo of ${key} failed on purpose`);
    this.applied.delete(key);
    this.undone.set(key, (this.undone.get(key) ?? 0) + 1);
  }
}

function effectKey(id: string, tag: unknown): string {
  return tag === undefined ? id : `${id}[${String(tag)}]`;
}

function waitOrAbort(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new WritLoreError('cancelled', 'aborted'));
      return;
    }
    const onAbort = (): void => reject(new WritLoreError('cancelled', 'aborted while waiting'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      reject,
    );
  });
}

/** A BackupStore that is never used by the test actions (they touch no files). */
export const memoryBackups: BackupStore = {
  root: '/nonexistent/backups',
  save: () => Promise.reject(new WritLoreError('internal', 'test backups are not used')),
  restore: () => Promise.reject(new WritLoreError('internal', 'test backups are not used')),
};

/** A node spec for the builders: id, predecessors, and optional slots / action / phase. */
export interface NodeSpec {
  readonly id: string;
  readonly after?: readonly string[];
  readonly slots?: Readonly<Record<string, Slot>>;
  readonly action?: string;
  readonly phase?: string;
}

/** A pending node. */
export function node(spec: NodeSpec): Node {
  return {
    id: spec.id,
    action: spec.action ?? 'test.record',
    status: 'pending',
    slots: spec.slots ?? {},
    ...(spec.phase === undefined ? {} : { phase: spec.phase }),
  };
}

/** The edges of node specs: `order` edges, `data` where a promise slot names the predecessor. */
export function edgesOf(specs: readonly NodeSpec[]): Edge[] {
  return specs.flatMap((spec) =>
    (spec.after ?? []).map((from): Edge => {
      const data = Object.values(spec.slots ?? {}).some((slot) => slot.kind === 'promise' && slot.node === from);
      return { from, to: spec.id, kind: data ? 'data' : 'order' };
    }),
  );
}

/** A pending flat graph of the given nodes. */
export function flatGraph(specs: readonly NodeSpec[]): Graph {
  return pendingGraph(specs.map(node), edgesOf(specs));
}

/** A phase spec for {@link phasedGraph}. */
export interface PhaseSpec {
  readonly id: string;
  readonly nodes: readonly NodeSpec[];
  readonly role?: Phase['role'];
  readonly compensate?: string;
  readonly retry?: RetryPolicy;
}

/** A pending phased graph: each phase's nodes get its `phase`. */
export function phasedGraph(phases: readonly PhaseSpec[]): Graph {
  const specs = phases.flatMap((phase) => phase.nodes.map((spec) => ({ ...spec, phase: phase.id })));
  return {
    ...flatGraph(specs),
    phases: phases.map(
      (phase): Phase => ({
        id: phase.id,
        name: phase.id,
        status: 'pending',
        nodes: phase.nodes.map((spec) => spec.id),
        ...(phase.role === undefined ? {} : { role: phase.role }),
        ...(phase.compensate === undefined ? {} : { compensate: phase.compensate }),
        ...(phase.retry === undefined ? {} : { retry: phase.retry }),
      }),
    ),
  };
}

/** Statuses by node id. */
export function statuses(graph: Graph): Record<string, string> {
  return Object.fromEntries(graph.nodes.map((n) => [n.id, n.status]));
}

/** Statuses by phase id. */
export function phaseStatuses(graph: Graph): Record<string, string> {
  return Object.fromEntries((graph.phases ?? []).map((p) => [p.id, p.status]));
}
