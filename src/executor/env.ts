import type { ActionLogger, BackupStore, Clock, FsMemo } from '../actions/index.js';
import type { Edge } from '../graph/index.js';
import type { HookRunner } from './hooks.js';
import type { RunLedger } from './ledger.js';
import type { RecoveryStack } from './recovery-stack.js';
import type { ActionSource, IterationRef } from './types.js';

/** Everything shared by one run: the ledger, hooks, actions and resolved options. */
export interface RunEnv {
  readonly ledger: RunLedger;
  readonly hooks: HookRunner;
  readonly actions: ActionSource;
  readonly clock: Clock;
  readonly data: Readonly<Record<string, unknown>>;
  readonly backups: BackupStore;
  readonly log: ActionLogger | undefined;
  /** What the run's preflight saw on disk (see ExecutorOptions.memo). */
  readonly memo: FsMemo | undefined;
  readonly jobs: number;
  readonly random: () => number;
  /** The run's cancellation signal (never aborts when the caller gave none). */
  readonly signal: AbortSignal;
  /** Signal handed to undo calls: aborts only when compensation must be cut. */
  readonly undoSignal: AbortSignal;
  /** The edges between nodes of the same phase, by phase id (all edges under `''`). */
  edgesOf(phase: string | undefined): readonly Edge[];
}

/** Where a node runs: its results, its recovery stack, its proxies and its iteration. */
export interface Scope {
  /** Results of completed nodes visible to this scope (a body sees the outer ones too). */
  readonly results: Map<string, unknown>;
  readonly stack: RecoveryStack;
  readonly proxyItems?: ReadonlyMap<string, unknown>;
  readonly iteration?: IterationRef;
  readonly signal: AbortSignal;
  /** Errors of nodes that failed in this scope, by node id. */
  readonly failures: Map<string, unknown>;
  /** Called after a node of this scope registered undo state (flow bodies report upwards). */
  readonly onUndo?: () => Promise<void>;
}

/** A results map that falls back to an outer one: a body iteration sees the outer results. */
export class LayeredResults extends Map<string, unknown> {
  private readonly outer: ReadonlyMap<string, unknown>;

  constructor(outer: ReadonlyMap<string, unknown>) {
    super();
    this.outer = outer;
  }

  override get(key: string): unknown {
    return super.has(key) ? super.get(key) : this.outer.get(key);
  }

  override has(key: string): boolean {
    return super.has(key) || this.outer.has(key);
  }

  /** The value set in this layer only. */
  own(key: string): unknown {
    return super.get(key);
  }
}

/** Builds the per-phase edge lookup of a graph (lazily: flat runs never need it). */
export function edgeIndex(
  edges: readonly Edge[],
  phaseOf: (node: string) => string | undefined,
): (phase: string | undefined) => readonly Edge[] {
  let byPhase: Map<string, Edge[]> | undefined;
  const build = (): Map<string, Edge[]> => {
    const index = new Map<string, Edge[]>();
    for (const edge of edges) {
      const phase = phaseOf(edge.from);
      if (phase === undefined || phase !== phaseOf(edge.to)) continue;
      const list = index.get(phase);
      if (list === undefined) index.set(phase, [edge]);
      else list.push(edge);
    }
    return index;
  };
  return (phase) => {
    if (phase === undefined) return edges;
    byPhase ??= build();
    return byPhase.get(phase) ?? [];
  };
}
