import { UNDO_REPLAY_ACTION, type Clock } from '../actions/index.js';
import { systemClock } from '../executor/index.js';
import { GRAPH_FORMAT_VERSION, WritLoreError, type Edge, type Graph, type GraphContext, type JsonValue, type Node, type Platform, type Tool } from '../graph/index.js';

/** One recorded node to undo, with where its backups live. */
export interface UndoPlanItem {
  /** The recorded node (completed, with undo state). */
  readonly node: Node;
  /** The receipt stem of the run that recorded it: its backups are that run's. */
  readonly stem: string;
  /** Its target path (for display, drift and the replay's own undo). */
  readonly path?: string;
  /** Move what is at the target aside before undoing (a forced undo over drift). */
  readonly displace?: boolean;
  /** Why the item is recorded `skipped` instead of undone (e.g. already undone on disk). */
  readonly skip?: string;
}

/** Options of {@link buildUndoPlan}. */
export interface UndoPlanOptions {
  readonly tool: Tool;
  readonly context: GraphContext;
  /** An explicit timestamp (UTC ISO 8601 with ms); wins over `clock`. */
  readonly timestamp?: string;
  /** Where the timestamp comes from when none is given (default: the wall clock). */
  readonly clock?: Pick<Clock, 'now'>;
  /** Default: this machine's `process.platform` and `process.arch`. */
  readonly platform?: Platform;
  /** The annotation naming the undone run on every node (default `receipt.undo_of`). */
  readonly undoOfAnnotation?: string;
}

/**
 * Builds a pending graph of {@link UNDO_REPLAY_ACTION} nodes undoing `items` in the order given
 * (the caller's unwinding order: newest first), chained by order edges so they run one after
 * another. Skipped items are kept as `skipped` nodes outside the chain (the executor leaves
 * them, and what depends on them, out of the run).
 *
 * @example
 * const plan = buildUndoPlan(items, { tool: 'writ', context: receipt.context, clock });
 * await runRecorded(plan, { store, registry, preflight: false });
 */
export function buildUndoPlan(items: readonly UndoPlanItem[], options: UndoPlanOptions): Graph {
  if (items.length === 0) throw new WritLoreError('invalid-input', 'nothing to undo');
  const nodes = items.map((item, index) => replayNode(item, index, options.undoOfAnnotation ?? 'receipt.undo_of'));
  const chain = nodes.filter((node) => node.status === 'pending');
  const edges: Edge[] = chain.slice(1).map((node, index) => ({ from: chain[index]?.id ?? '', to: node.id, kind: 'order' }));
  return {
    version: GRAPH_FORMAT_VERSION,
    tool: options.tool,
    timestamp: options.timestamp ?? (options.clock ?? systemClock).now().toISOString(),
    state: 'pending',
    platform: options.platform ?? { os: process.platform, arch: process.arch },
    context: options.context,
    nodes,
    edges,
  };
}

function replayNode(item: UndoPlanItem, index: number, undoOf: string): Node {
  const { node } = item;
  const slots: Record<string, { kind: 'immediate'; value: JsonValue }> = {
    action: { kind: 'immediate', value: node.action },
    undo: { kind: 'immediate', value: node.undo ?? null },
    backups: { kind: 'immediate', value: item.stem },
  };
  if (item.path !== undefined) slots['path'] = { kind: 'immediate', value: item.path };
  if (item.displace === true) slots['displace'] = { kind: 'immediate', value: true };
  return {
    id: `undo.${index + 1}.${node.id}`,
    action: UNDO_REPLAY_ACTION,
    status: item.skip === undefined ? 'pending' : 'skipped',
    slots,
    ...(node.project === undefined ? {} : { project: node.project }),
    ...(node.layer === undefined ? {} : { layer: node.layer }),
    annotations: { [undoOf]: item.stem, 'receipt.undoes': node.id, ...(item.skip === undefined ? {} : { 'receipt.skip_reason': item.skip }) },
  };
}
