import type { ActionOutput, Clock } from '../actions/index.js';
import {
  WritLoreError,
  type Attempt,
  type Graph,
  type GraphState,
  type JsonValue,
  type Node,
  type Phase,
  type PhaseStatus,
  type RollbackEntry,
} from '../graph/index.js';
import type { Diagnostic } from './types.js';

/**
 * The one mutator of a run: every change to the graph (node and phase statuses, timestamps,
 * undo states, attempts, rollback entries, final state) goes through here, so the receipt is
 * written in one place and the rules (sticky failure of body nodes, timestamps from the
 * injected clock) hold everywhere.
 */
export class RunLedger {
  readonly graph: Graph;
  readonly diagnostics: Diagnostic[] = [];
  readonly errors: WritLoreError[] = [];
  /** Every undo that failed (or was cut short) during this run: what is left to undo. */
  readonly undoFailures: { readonly node: string; readonly message: string }[] = [];
  private readonly clock: Clock;
  private readonly nodesById = new Map<string, Node>();
  private readonly phasesById = new Map<string, Phase>();
  private readonly bodyNodes = new Set<string>();
  private sequence = 0;
  private lastMillis = Number.NaN;
  private lastIso = '';

  constructor(graph: Graph, clock: Clock, bodyPhases: ReadonlySet<string>) {
    this.graph = graph;
    this.clock = clock;
    for (const node of graph.nodes) this.nodesById.set(node.id, node);
    for (const phase of graph.phases ?? []) {
      this.phasesById.set(phase.id, phase);
      if (bodyPhases.has(phase.id)) for (const id of phase.nodes) this.bodyNodes.add(id);
    }
  }

  /** The current time as UTC ISO 8601 with milliseconds. */
  now(): string {
    // Formatting dominates per-node cost; most nodes of a run share a millisecond.
    const millis = this.clock.now().getTime();
    if (millis !== this.lastMillis) {
      this.lastMillis = millis;
      this.lastIso = new Date(millis).toISOString();
    }
    return this.lastIso;
  }

  /** The node called `id`; a missing one is a bug in validation. */
  node(id: string): Node {
    const node = this.nodesById.get(id);
    if (node === undefined) throw new WritLoreError('internal', `no node "${id}" in the graph`);
    return node;
  }

  /** The phase called `id`, or undefined. */
  phase(id: string): Phase | undefined {
    return this.phasesById.get(id);
  }

  /** Records a diagnostic. */
  report(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  /** Records a failure for the report. */
  fail(error: WritLoreError): void {
    this.errors.push(error);
  }

  /** The start sequence number the next node will get (a retry unwinds from here). */
  nextOrder(): number {
    return this.sequence + 1;
  }

  /** Marks a node running and returns its start sequence number. */
  markRunning(node: Node): number {
    const isBody = this.bodyNodes.has(node.id);
    if (!(isBody && node.status === 'failed')) node.status = 'running';
    if (!isBody || node.started_at === undefined) node.started_at = this.now();
    this.sequence += 1;
    return this.sequence;
  }

  /** Marks a node completed with its digests. Body nodes keep a failure of another item. */
  markCompleted(node: Node, output: ActionOutput): void {
    node.finished_at = this.now();
    if (output.digests?.source !== undefined) node.source_digest = output.digests.source;
    if (output.digests?.target !== undefined) node.target_digest = output.digests.target;
    if (node.status !== 'failed') node.status = 'completed';
  }

  /** Marks a node failed; a body node keeps the first error. */
  markFailed(node: Node, message: string): void {
    node.finished_at = this.now();
    if (node.status === 'failed' && this.bodyNodes.has(node.id)) return;
    node.status = 'failed';
    node.error = message;
  }

  /** Marks a not-started node skipped with the reason. */
  markSkipped(node: Node, reason: string): void {
    node.status = 'skipped';
    node.error = reason;
  }

  /** Puts a node back to `pending` before a phase retry (the attempt keeps the error). */
  markPending(node: Node): void {
    node.status = 'pending';
    delete node.error;
    delete node.started_at;
    delete node.finished_at;
    delete node.undo;
    delete node.source_digest;
    delete node.target_digest;
  }

  /** Marks an undone node `compensated`; a failed node keeps its status and error. */
  markCompensated(node: Node): void {
    if (node.status !== 'failed') node.status = 'compensated';
  }

  /** Records that undoing a node failed: it keeps its status, the error says what is left. */
  markUndoFailed(node: Node, message: string): void {
    node.error = `undo failed: ${message}`;
  }

  /** Records a node's undo state on the node (body nodes keep theirs in the flow node's). */
  setUndo(node: Node, undo: JsonValue): void {
    if (!this.bodyNodes.has(node.id)) node.undo = undo;
  }

  /** Sets a phase's status. */
  markPhase(phase: Phase, status: PhaseStatus): void {
    phase.status = status;
  }

  /** Appends an attempt to a phase. */
  addAttempt(phase: Phase, attempt: Omit<Attempt, 'timestamp'>): void {
    (phase.attempts ??= []).push({ ...attempt, timestamp: this.now() });
  }

  /** Appends a rollback entry to the graph. */
  addRollback(entry: Omit<RollbackEntry, 'timestamp'>): void {
    (this.graph.rollback ??= []).push({ ...entry, timestamp: this.now() });
  }

  /** Sets the graph's final state. */
  finish(state: GraphState): void {
    this.graph.state = state;
  }
}
