import type { ActionLogger, Clock, ProbeContext, ProbeOutcome } from '../actions/index.js';
import { DependencyView, errorMessage, fillSlotsFromData, type Graph, type Node } from '../graph/index.js';
import type { ActionSource, Diagnostic } from './types.js';

/** What a dry run predicts for one node. */
export type Prediction =
  | ProbeOutcome
  | {
      readonly kind: 'unknown-until-apply';
      /** Why the outcome cannot be known without running (an un-run input, no probe…). */
      readonly reason: string;
    };

/** The prediction for one node. */
export interface NodePrediction {
  readonly node: string;
  readonly action: string;
  readonly prediction: Prediction;
}

/** What `GraphExecutor.plan` returns: one prediction per node, in graph order. */
export interface DryRunReport {
  readonly nodes: readonly NodePrediction[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Options of {@link planGraph}. */
export interface PlanOptions {
  readonly actions: ActionSource;
  readonly clock: Clock;
  readonly data: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
  readonly log?: ActionLogger;
}

const silent: ActionLogger = { info: () => undefined, warn: () => undefined };

/**
 * Predicts every node's outcome by calling its action's read-only `probe` (never `do`). A node
 * with a promise or proxy slot depends on a value only a run produces: it is
 * `unknown-until-apply`, and so is every node that depends on one (unknowns propagate).
 */
export async function planGraph(graph: Graph, options: PlanOptions): Promise<DryRunReport> {
  const diagnostics: Diagnostic[] = [];
  const unknown = new Map<string, string>();
  const predictions = new Map<string, Prediction>();
  const view = new DependencyView(graph);
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  for (const id of view.topologicalOrder()) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const prediction = await predict(node, view, unknown, options, diagnostics);
    if (prediction.kind === 'unknown-until-apply') unknown.set(node.id, prediction.reason);
    predictions.set(node.id, prediction);
  }
  const nodes = graph.nodes.map((node) => ({
    node: node.id,
    action: node.action,
    prediction: predictions.get(node.id) ?? { kind: 'unknown-until-apply' as const, reason: 'not ordered' },
  }));
  return { nodes, diagnostics };
}

async function predict(
  node: Node,
  view: DependencyView,
  unknown: ReadonlyMap<string, string>,
  options: PlanOptions,
  diagnostics: Diagnostic[],
): Promise<Prediction> {
  const waiting = unknownInput(node, view, unknown);
  if (waiting !== undefined) return { kind: 'unknown-until-apply', reason: waiting };
  const action = options.actions.has?.(node.action) === false ? undefined : options.actions.get(node.action);
  if (action?.probe === undefined) {
    return { kind: 'unknown-until-apply', reason: `action "${node.action}" cannot predict its outcome` };
  }
  const slots: Record<string, unknown> = {};
  for (const [name, slot] of Object.entries(node.slots)) if (slot.kind === 'immediate') slots[name] = slot.value;
  const names = [...action.spec.required, ...(action.spec.optional ?? [])];
  const context: ProbeContext = {
    nodeId: node.id,
    signal: options.signal ?? new AbortController().signal,
    clock: options.clock,
    data: options.data,
    log: options.log ?? silent,
  };
  try {
    return await action.probe(context, fillSlotsFromData(slots, options.data, names));
  } catch (error) {
    const message = errorMessage(error);
    diagnostics.push({ kind: 'probe-failed', node: node.id, message });
    return { kind: 'unknown-until-apply', reason: `probe failed: ${message}` };
  }
}

/** Why a node's input is unknown before a run, or undefined when every input is known. */
function unknownInput(node: Node, view: DependencyView, unknown: ReadonlyMap<string, string>): string | undefined {
  for (const slot of Object.values(node.slots)) {
    if (slot.kind === 'promise') return `slot needs the result of node "${slot.node}"`;
    if (slot.kind === 'proxy') return `slot needs the current item of gather "${slot.gather}"`;
  }
  for (const before of view.dependsOn(node.id)) {
    if (unknown.has(before)) return `depends on node "${before}", whose outcome is unknown until apply`;
  }
  return undefined;
}
