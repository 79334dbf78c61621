import { UNDO_REPLAY_ACTION } from '../actions/index.js';
import type { Graph, Node } from '../graph/index.js';
import type { DeriveSpec, ReceiptStore } from '../receipts/index.js';

/** The annotation naming, on a node of a rollback or remove receipt, the run whose node it undid. */
export const WRIT_UNDO_OF = 'writ.undo_of';

/** A completed node of a past run that changed its target, with the receipt it belongs to. */
export interface UndoItem {
  readonly node: Node;
  readonly stem: string;
}

/** What the writ receipts say is deployed now. */
export interface Deployments {
  /** Per target path, every run that placed something there since writ last gave it up, oldest first. */
  readonly stacks: ReadonlyMap<string, readonly UndoItem[]>;
  /**
   * The newest deployment receipt (not a rollback or remove), for its layers, target and
   * context: its header only, `nodes`, `edges` and `phases` left empty (the stacks hold the nodes).
   */
  readonly latest: Graph | undefined;
}

/** What one writ receipt contributes to {@link foldDeployments} (cached per receipt). */
export interface DeploymentStep {
  /** The receipt without nodes, edges and phases. */
  readonly header: Graph;
  readonly isUndo: boolean;
  /** Completed file nodes of a deployment that changed their target, by target path. */
  readonly pushes: readonly (readonly [string, Node])[];
  /** Paths an undo receipt gave up, and the run whose entry it pops (`writ.undo_of`). */
  readonly pops: readonly (readonly [string, string | null])[];
}

/** One receipt's {@link DeploymentStep}. */
export function deploymentStep(receipt: Graph): DeploymentStep {
  const isUndo = receipt.context.settings?.['operation'] !== undefined;
  const pushes: (readonly [string, Node])[] = [];
  const pops: (readonly [string, string | null])[] = [];
  for (const node of receipt.nodes) {
    const target = targetPath(node);
    if (target === undefined) continue;
    if (isUndo && releases(node)) pops.push([target, node.annotations?.[WRIT_UNDO_OF] ?? null]);
    if (!isUndo && node.action.startsWith('file.') && node.status === 'completed' && node.undo !== undefined) {
      pushes.push([target, node]);
    }
  }
  const { nodes: _nodes, edges: _edges, phases: _phases, ...header } = receipt;
  return { header: { ...header, nodes: [], edges: [] }, isUndo, pushes, pops };
}

/** The cached derivation of a writ receipt's {@link DeploymentStep} (bump `version` when it changes). */
export function deploymentStepSpec(): DeriveSpec<DeploymentStep> {
  return { name: 'writ-deployment-step', version: 1, derive: (graph) => deploymentStep(graph) };
}

/** A pushed node in placement detail: target, id, action, status, path, source, target digest, start. */
type PlacementRow = readonly [string, string, string, Node['status'], string | null, string | null, string | null, string | null];

/** A {@link DeploymentStep} in placement detail, as cached: one array per pushed node. */
export interface PlacementStep {
  readonly header: Graph;
  readonly isUndo: boolean;
  readonly pushes: readonly PlacementRow[];
  readonly pops: DeploymentStep['pops'];
}

function immediateText(node: Node, name: string): string | null {
  const slot = node.slots[name];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : null;
}

/** The cached derivation of a writ receipt's {@link PlacementStep}: a fraction of the full step's size. */
export function placementStepSpec(): DeriveSpec<PlacementStep> {
  return {
    name: 'writ-placement-step',
    version: 1,
    derive: (graph) => {
      const { header, isUndo, pushes, pops } = deploymentStep(graph);
      const rows = pushes.map(([target, node]): PlacementRow => [
        target, node.id, node.action, node.status, immediateText(node, 'path'), immediateText(node, 'source'),
        node.target_digest ?? null, node.started_at ?? null,
      ]);
      return { header, isUndo, pushes: rows, pops };
    },
  };
}

function placementNode(row: PlacementRow): Node {
  const [, id, action, status, target, source, targetDigest, startedAt] = row;
  const slots: Record<string, Node['slots'][string]> = {};
  if (target !== null) slots['path'] = { kind: 'immediate', value: target };
  if (source !== null) slots['source'] = { kind: 'immediate', value: source };
  return {
    id, action, status, slots,
    ...(targetDigest === null ? {} : { target_digest: targetDigest }),
    ...(startedAt === null ? {} : { started_at: startedAt }),
  };
}

/** Options of {@link foldDeployments}. */
export interface FoldOptions {
  /**
   * `full` (default): the stacks hold the receipts' nodes as written. `placement`: nodes carry
   * only id, action, status, immediate `path` and `source` slots, target digest and start time
   * (enough to know what writ placed where, e.g. for `knownTargetsOf`), read from a small
   * cache entry written with each receipt; no undo state, so not for undoing.
   */
  readonly detail?: 'full' | 'placement';
  /** `latest` is the newest deployment to this target root (default: to any). */
  readonly target?: string;
}

/**
 * Folds the writ receipts, oldest first. A deployment's completed file node that changed its
 * target pushes onto that path's stack; a rollback or remove receipt's completed (or skipped:
 * already undone on disk) `receipt.undo` node, which names the run it undid in `writ.undo_of`,
 * pops that run's entry. Receipts written before undo plans (file nodes marked `compensated`)
 * pop the same way. A replay compensated by its own run's rollback put the path back: no pop.
 * Receipts are read through the verified cache (see `ReceiptStore.derive`).
 */
export async function foldDeployments(store: ReceiptStore, options: FoldOptions = {}): Promise<Deployments> {
  const stacks = new Map<string, UndoItem[]>();
  let latest: Graph | undefined;
  const isPlacement = options.detail === 'placement';
  const fullSpec = deploymentStepSpec();
  const placementSpec = placementStepSpec();
  for (const entry of await store.list({ tools: ['writ'] })) {
    let step: Pick<DeploymentStep, 'header' | 'isUndo' | 'pops'>;
    let pushes: readonly (readonly [string, Node])[];
    if (isPlacement) {
      const placement = await store.derive(entry.stem, placementSpec);
      step = placement;
      pushes = placement.pushes.map((row) => [row[0], placementNode(row)] as const);
    } else {
      const full = await store.derive(entry.stem, fullSpec);
      step = full;
      pushes = full.pushes;
    }
    if (!step.isUndo && (options.target === undefined || step.header.context.target_root === options.target)) latest = step.header;
    for (const [target, undoneStem] of step.pops) pop(stacks, target, undoneStem ?? undefined);
    for (const [target, node] of pushes) push(stacks, target, { node, stem: entry.stem });
  }
  return { stacks, latest };
}

/** Whether a node of an undo receipt gave its path up. */
function releases(node: Node): boolean {
  if (node.action === UNDO_REPLAY_ACTION) return node.status === 'completed' || node.status === 'skipped';
  return node.action.startsWith('file.') && node.status === 'compensated';
}

function push(stacks: Map<string, UndoItem[]>, target: string, item: UndoItem): void {
  const stack = stacks.get(target);
  if (stack === undefined) stacks.set(target, [item]);
  else stack.push(item);
}

function pop(stacks: Map<string, UndoItem[]>, target: string, undoneStem: string | undefined): void {
  const stack = stacks.get(target)?.filter((item) => undoneStem !== undefined && item.stem !== undoneStem) ?? [];
  if (stack.length === 0) stacks.delete(target);
  else stacks.set(target, stack);
}

/** The target path of a node: its undo state's `path`, else its immediate `path` slot. */
export function targetPath(node: Node): string | undefined {
  const undo = node.undo;
  if (typeof undo === 'object' && undo !== null && !Array.isArray(undo)) {
    const path = (undo as Readonly<Record<string, unknown>>)['path'];
    if (typeof path === 'string') return path;
  }
  const slot = node.slots['path'];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

/** Newest receipt first; within one, reverse start order (the saga's unwinding order). */
export function unwindingOrder(items: readonly UndoItem[]): UndoItem[] {
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    if (a.item.stem !== b.item.stem) return a.item.stem < b.item.stem ? 1 : -1;
    const started = (b.item.node.started_at ?? '').localeCompare(a.item.node.started_at ?? '');
    return started !== 0 ? started : b.index - a.index;
  });
  return indexed.map(({ item }) => item);
}
