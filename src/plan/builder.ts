import { WritLoreError, immediate } from '../graph/index.js';
import type { ActionCatalog, Edge, EdgeKind, Node, Phase, Slot } from '../graph/index.js';
import { EdgeSet, checkPhaseOrder, copyAnnotations, flowDependency, mainPhase, toNode, toPhase } from './draft.js';
import type { BodyFrame, DraftNode } from './draft.js';
import { ItemHandle, NodeHandle } from './handles.js';
import type { PhaseHandle, SlotInput } from './handles.js';
import { toSlot } from './inputs.js';
import { PhaseBook } from './phases.js';
import type { PhaseOptions } from './phases.js';

/** The frames of a node outside any body (shared: drafts never change their frames). */
const NO_FRAMES: readonly BodyFrame[] = Object.freeze([]);

/** Options every node-adding method of the plan accepts. */
export interface NodeOptions {
  /** The node id; default `<verb>:<path or first argument>`, `#2`, `#3`… on repeats. */
  readonly id?: string;
  /** The project the node belongs to; default the plan's project. */
  readonly project?: string;
  readonly layer?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What {@link GraphAssembler.addNode} needs. */
export interface NodeRequest {
  readonly action: string;
  /** Slot inputs; `undefined` entries are left out (optional slots not given). */
  readonly inputs: Readonly<Record<string, SlotInput | undefined>>;
  /** The id prefix (`link`, `copy`…) and readable key for a derived id. */
  readonly verb: string;
  readonly key: string | undefined;
  readonly options: NodeOptions;
  /** An id already taken with {@link GraphAssembler.reserveNodeId} (flow nodes). */
  readonly reservedId?: string;
}

/** The nodes, edges and phases of a plan, ready to be placed in a graph. */
export interface Assembled {
  readonly nodes: Node[];
  readonly edges: Edge[];
  readonly phases?: Phase[];
}

/** Looks up action specs and, when the catalog can, suggests a name for a typo. */
interface SuggestingCatalog extends ActionCatalog {
  suggest?(name: string): string | undefined;
}

/**
 * The mutable state behind a {@link Plan}: nodes, edges and phases, id allocation, and the
 * stack of body phases being filled. Every promise slot it records comes with its data edge.
 */
export class GraphAssembler {
  /** Identifies this plan's handles. */
  readonly owner: object = {};
  readonly #catalog: SuggestingCatalog;
  readonly #project: string | undefined;
  readonly #nodes = new Map<string, DraftNode>();
  readonly #reserved = new Set<string>();
  readonly #nextSuffix = new Map<string, number>();
  readonly #edges = new EdgeSet();
  readonly #phases = new PhaseBook();
  /** Top-level nodes added before any phase opened. */
  readonly #loose: string[] = [];

  constructor(catalog: ActionCatalog, project?: string) {
    this.#catalog = catalog;
    this.#project = project;
  }

  /** Takes a node id now (explicit, or derived from verb and key) for a node added later. */
  reserveNodeId(explicit: string | undefined, verb: string, key: string | undefined): string {
    const id = this.#freeId(explicit, verb, key);
    this.#reserved.add(id);
    return id;
  }

  /** A free id (explicit, or derived from verb and key); throws when an explicit one is taken. */
  #freeId(explicit: string | undefined, verb: string, key: string | undefined): string {
    if (explicit === undefined) return this.#deriveId(key === undefined ? verb : `${verb}:${key}`);
    if (this.#isTaken(explicit)) {
      throw new WritLoreError('invalid-graph', `duplicate node id "${explicit}"`, {
        hint: 'give the node another id, or leave the id out to have one derived',
      });
    }
    return explicit;
  }

  #isTaken(id: string): boolean {
    return this.#nodes.has(id) || this.#reserved.has(id);
  }

  #deriveId(base: string): string {
    if (!this.#isTaken(base)) return base;
    // Remember where the last search for `base` stopped: repeats stay O(1), not O(n) each.
    let counter = this.#nextSuffix.get(base) ?? 2;
    while (this.#isTaken(`${base}#${counter}`)) counter += 1;
    this.#nextSuffix.set(base, counter + 1);
    return `${base}#${counter}`;
  }

  /**
   * Adds a node in the current phase, with its slots and every edge they need. Everything is
   * checked before anything changes, so a rejected node leaves the plan as it was.
   */
  addNode(request: NodeRequest): NodeHandle {
    this.#checkAction(request.action);
    const { reservedId } = request;
    // Nothing below adds a node before this one is stored, so a new id needs no reservation.
    const id = reservedId ?? this.#freeId(request.options.id, request.verb, request.key);
    const slots: Record<string, Slot> = {};
    const producers = this.#convertInputs(id, request.inputs, slots);
    const node = this.#draftNode(id, request, slots);
    if (producers !== undefined) for (const producer of producers) this.#checkLink(producer, node);
    if (reservedId !== undefined) this.#reserved.delete(reservedId);
    this.#nodes.set(id, node);
    if (node.phase === undefined) this.#loose.push(id);
    else node.phase.nodes.push(id);
    if (producers !== undefined) for (const producer of producers) this.#link(producer, node, 'data');
    return new NodeHandle(id, request.action, this.owner);
  }

  /** Gives back a node id and body phase ids reserved for a flow node that was not added. */
  release(nodeId: string, phaseIds: readonly string[]): void {
    this.#reserved.delete(nodeId);
    this.#phases.release(phaseIds);
  }

  #checkAction(action: string): void {
    if (this.#catalog.spec(action) !== undefined) return;
    const suggestion = this.#catalog.suggest?.(action);
    const didYouMean = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    throw new WritLoreError('unknown-action', `unknown action "${action}"${didYouMean}`);
  }

  #draftNode(id: string, request: NodeRequest, slots: Record<string, Slot>): DraftNode {
    const { options } = request;
    const frames = this.#phases.frames;
    const outermost = frames[0]?.flowNode;
    const { annotations } = options;
    // One shape for every draft (absent fields are undefined): tens of thousands are made.
    return {
      id,
      action: request.action,
      slots,
      project: options.project ?? this.#project,
      layer: options.layer,
      phase: this.#phases.placement,
      annotations: annotations === undefined ? undefined : copyAnnotations(id, annotations),
      frames: frames.length === 0 ? NO_FRAMES : [...frames],
      topPhase: outermost === undefined ? this.#phases.current : this.#nodes.get(outermost)?.topPhase,
    };
  }

  /** Fills `slots` from `inputs`; returns the nodes whose results they promise (undefined: none). */
  #convertInputs(
    id: string,
    inputs: Readonly<Record<string, SlotInput | undefined>>,
    slots: Record<string, Slot>,
  ): DraftNode[] | undefined {
    let producers: DraftNode[] | undefined;
    for (const name in inputs) {
      const input = inputs[name];
      if (input === undefined || !Object.hasOwn(inputs, name)) continue;
      // Most inputs are paths: no conversion (nor its error-message text) needed.
      if (typeof input === 'string') {
        slots[name] = immediate(input);
        continue;
      }
      const converted = toSlot(input, `"${name}" of node "${id}"`);
      if (converted.kind === 'promise') (producers ??= []).push(this.#producer(converted.handle, id));
      if (converted.kind === 'proxy') this.#checkItem(converted.item, id);
      slots[name] = converted.slot;
    }
    return producers;
  }

  #producer(handle: NodeHandle, consumer: string): DraftNode {
    const node = handle.belongsTo(this.owner) ? this.#nodes.get(handle.id) : undefined;
    if (node === undefined) {
      throw new WritLoreError(
        'invalid-input',
        `node "${consumer}" uses node "${handle.id}", which belongs to another plan`,
      );
    }
    return node;
  }

  #checkItem(item: ItemHandle, consumer: string): void {
    const open = this.#phases.isFilling(item.gather);
    if (!item.belongsTo(this.owner) || !open) {
      throw new WritLoreError(
        'invalid-input',
        `node "${consumer}" uses the item of gather "${item.gather}" outside its body`,
        { hint: 'use the item only inside the body callback of that gather' },
      );
    }
  }

  /** Throws when `consumer` may not wait for `producer`; else the flow node that must wait too. */
  #checkLink(producer: DraftNode, consumer: DraftNode): string | undefined {
    checkPhaseOrder(producer, consumer);
    return flowDependency(producer, consumer);
  }

  /** Records that `consumer` runs after `producer`, plus what flow bodies need. */
  #link(producer: DraftNode, consumer: DraftNode, kind: 'data' | 'order'): void {
    const flowNode = this.#checkLink(producer, consumer);
    this.#edges.add(producer.id, consumer.id, kind);
    if (flowNode !== undefined && flowNode !== producer.id) {
      this.#edges.add(producer.id, flowNode, 'order');
    }
  }

  /** `first` must finish before `then` starts; no new edge when one already orders them. */
  addOrder(first: NodeHandle, then: NodeHandle): void {
    const producer = this.#producer(first, then.id);
    const consumer = this.#producer(then, first.id);
    if (producer.id === consumer.id) {
      throw new WritLoreError('invalid-input', `node "${first.id}" cannot be ordered after itself`);
    }
    this.#link(producer, consumer, 'order');
  }

  /** The kind of the edge `first → then`, or undefined when there is none. */
  edgeKind(first: NodeHandle, then: NodeHandle): EdgeKind | undefined {
    this.#producer(first, then.id);
    this.#producer(then, first.id);
    return this.#edges.kind(first.id, then.id);
  }

  /** Opens a top-level phase; nodes added afterwards join it until the next one opens. */
  openPhase(name: string, options: PhaseOptions): PhaseHandle {
    return this.#phases.open(name, options, this.#loose);
  }

  /** Takes the id of a body phase for a flow node (before the node exists). */
  reservePhaseId(derived: string): string {
    return this.#phases.reserveBody(derived);
  }

  /** Fills the body phase `phaseId` of `flowNode` with the nodes `build` adds. */
  fillBody(flowNode: string, phaseId: string, name: string, build: () => void): void {
    this.#phases.fillBody(flowNode, phaseId, name, build);
  }

  /** A handle on the current item of the gather node `gatherId`. */
  itemHandle(gatherId: string): ItemHandle {
    return new ItemHandle(gatherId, this.owner);
  }

  /** Copies of the nodes, edges and phases (an implicit `phase.main` when flow bodies need it). */
  assemble(): Assembled {
    const edges = this.#edges.list();
    const drafts = [...this.#nodes.values()];
    if (this.#phases.isEmpty) return { nodes: drafts.map((node) => toNode(node, undefined)), edges };
    const loose = [...this.#loose];
    const main = loose.length === 0 ? [] : [mainPhase(this.#phases.allocateId(undefined, 'phase.main'), loose)];
    const phases = [...main, ...this.#phases.list().map(toPhase)];
    const mainId = main[0]?.id;
    return { nodes: drafts.map((node) => toNode(node, node.phase?.id ?? mainId)), edges, phases };
  }
}
