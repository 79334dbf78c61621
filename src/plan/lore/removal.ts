import { WritLoreError } from '../../graph/index.js';
import type { ActionCatalog, Graph, JsonValue, Node } from '../../graph/index.js';
import { UNDO_REPLAY_ACTION, type Clock } from '../../actions/index.js';
import { Plan } from '../plan.js';
import type { NodeHandle } from '../handles.js';
import { withLoreRecord } from './installed.js';
import type { InstalledPackage } from './installed.js';

/** One package to remove and the verified receipt that installed it. */
export interface RemovalTarget {
  readonly installed: InstalledPackage;
  readonly receipt: Graph;
}

/** Options of {@link buildRemovalPlan}. */
export interface RemovalPlanOptions {
  /** Must know {@link UNDO_REPLAY_ACTION} (register `undoReplayAction` first). */
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
        ? plan.add(UNDO_REPLAY_ACTION, {
            action: step.node.action,
            undo: step.node.undo ?? null,
            // The backup refs in the undo state point into the install run's backups.
            backups: installed.receipt,
          }, {
            id,
            project: installed.name,
            // `receipt.undo_of` names the install run, so views know whose effect this took away.
            annotations: { ...annotations, 'lore.undoes': step.node.id, 'receipt.undo_of': installed.receipt },
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
