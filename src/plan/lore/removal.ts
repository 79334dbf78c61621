import { WritLoreError } from '../../graph/index.js';
import type { ActionCatalog, Graph, JsonValue, Node } from '../../graph/index.js';
import type { Action, ActionContext, Clock, ResolvedSlots } from '../../actions/index.js';
import { Plan } from '../plan.js';
import type { NodeHandle } from '../handles.js';
import { withLoreRecord } from './installed.js';
import type { InstalledPackage } from './installed.js';

/** The action that replays one recorded undo: `lore.undo { action, undo }`. */
export const REPLAY_UNDO_ACTION = 'lore.undo';

/** Where {@link replayUndoAction} finds the action whose undo it replays. */
export interface UndoLookup {
  get(name: string): Action | undefined;
}

/**
 * The action `lore.undo`: calls the `undo` of the action named in its `action` slot with the
 * undo state in its `undo` slot, exactly as a rollback would (backups restored, created
 * directories removed). It has no undo of its own: a failed removal is reported, and what was
 * already removed stays removed (re-install to get it back).
 */
export function replayUndoAction(actions: UndoLookup): Action {
  return {
    name: REPLAY_UNDO_ACTION,
    spec: { required: ['action', 'undo'], optional: ['path'] },
    async do(ctx: ActionContext, slots: ResolvedSlots) {
      const name = slots['action'];
      if (typeof name !== 'string') throw new WritLoreError('invalid-slot', `${ctx.nodeId}: slot "action" must be an action name`);
      const action = actions.get(name);
      if (action?.undo === undefined) {
        throw new WritLoreError('not-compensable', `${ctx.nodeId}: action "${name}" cannot undo`);
      }
      await action.undo(ctx, slots['undo'] as JsonValue);
      return {};
    },
  };
}

/** One package to remove and the verified receipt that installed it. */
export interface RemovalTarget {
  readonly installed: InstalledPackage;
  readonly receipt: Graph;
}

/** Options of {@link buildRemovalPlan}. */
export interface RemovalPlanOptions {
  /** Must know {@link REPLAY_UNDO_ACTION} (register {@link replayUndoAction} first). */
  readonly catalog: ActionCatalog;
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * Builds the plan that uninstalls `targets` (in the order given: dependents first): per
 * package a phase `phase.<pkg>.remove` doing what a rollback of its install would have done
 * (see {@link removalSteps}), from the install receipt alone.
 */
export function buildRemovalPlan(targets: readonly RemovalTarget[], options: RemovalPlanOptions): Graph {
  const first = targets[0];
  if (first === undefined) throw new WritLoreError('invalid-input', 'no package to remove');
  const plan = new Plan(options.catalog, {
    tool: 'lore',
    platform: first.receipt.platform,
    context: {
      packages: targets.map(({ installed }) => `${installed.name}@${installed.version}`),
      prefix: first.installed.prefix,
    },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  for (const target of targets) addRemovalPhase(plan, target);
  return withLoreRecord(plan.graph(), { operation: 'remove', requested: targets.map(({ installed }) => installed.name), depends: {} });
}

function addRemovalPhase(plan: Plan, { installed, receipt }: RemovalTarget): void {
  plan.phase(`${installed.name} remove`, { id: `phase.${installed.name}.remove` });
  const annotations = { 'lore.package': installed.name, 'lore.version': installed.version };
  let previous: NodeHandle | undefined;
  removalSteps(receipt, installed.name).forEach((step, index) => {
    const id = `${installed.name}.remove.${index + 1}.${step.node.action}`;
    const handle =
      step.kind === 'undo'
        ? plan.add(REPLAY_UNDO_ACTION, { action: step.node.action, undo: step.node.undo ?? null }, {
            id,
            project: installed.name,
            annotations: { ...annotations, 'lore.undoes': step.node.id },
          })
        : plan.add(step.node.action, immediateSlots(step.node), { id, project: installed.name, annotations: { ...annotations, 'lore.compensates': step.node.id } });
    if (previous !== undefined) plan.dependsOn(previous, handle);
    previous = handle;
  });
}

/** One step of a removal: replay a node's undo, or run a node of a compensation phase again. */
export type RemovalStep = { readonly kind: 'undo'; readonly node: Node } | { readonly kind: 'compensate'; readonly node: Node };

/**
 * What removing `name` does, in order, mirroring a rollback of its install: for each completed
 * phase of the package from the newest, its compensation phase's nodes (when it has one and
 * their slots are plain values), then the undo of the phase's completed nodes, newest start first.
 */
export function removalSteps(receipt: Graph, name: string): RemovalStep[] {
  const byId = new Map(receipt.nodes.map((node) => [node.id, node]));
  const phases = receipt.phases ?? [];
  const owned = phases.filter((phase) => phase.role !== 'compensation' && phase.nodes.some((id) => byId.get(id)?.annotations?.['lore.package'] === name));
  if (owned.length === 0) return undoOrder(receipt.nodes, name).map((node) => ({ kind: 'undo', node }));
  const steps: RemovalStep[] = [];
  for (const phase of [...owned].reverse()) {
    const compensation = phases.find((candidate) => candidate.id === phase.compensate);
    for (const id of compensation?.nodes ?? []) {
      const node = byId.get(id);
      if (node !== undefined && Object.values(node.slots).every((slot) => slot.kind === 'immediate')) steps.push({ kind: 'compensate', node });
    }
    const nodes = phase.nodes.map((id) => byId.get(id)).filter((node): node is Node => node !== undefined);
    steps.push(...undoOrder(nodes, name).map((node): RemovalStep => ({ kind: 'undo', node })));
  }
  return steps;
}

function immediateSlots(node: Node): Record<string, JsonValue> {
  const inputs: Record<string, JsonValue> = {};
  for (const [name, slot] of Object.entries(node.slots)) if (slot.kind === 'immediate') inputs[name] = slot.value;
  return inputs;
}

/** The package's completed nodes among `nodes` that left undo state, newest start first. */
export function undoOrder(nodes: readonly Node[], name: string): Node[] {
  const indexed = nodes
    .map((node, index) => ({ node, index }))
    .filter(({ node }) => node.annotations?.['lore.package'] === name && node.status === 'completed' && node.undo !== undefined);
  indexed.sort((a, b) => (b.node.started_at ?? '').localeCompare(a.node.started_at ?? '') || b.index - a.index);
  return indexed.map(({ node }) => node);
}
