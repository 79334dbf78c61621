import { WritLoreError } from '../graph/index.js';
import type { PhaseRole, RetryPolicy } from '../graph/index.js';
import { copyRetry } from './draft.js';
import type { BodyFrame, DraftPhase } from './draft.js';
import type { PhaseHandle } from './handles.js';

/** Options of a top-level phase. */
export interface PhaseOptions {
  /** The phase id; default `phase.<name>`. */
  readonly id?: string;
  readonly retry?: RetryPolicy;
  /** The compensation phase run when this phase is rolled back (a handle or an id). */
  readonly compensate?: PhaseHandle | string;
  /** `forward` (default) or `compensation`; body phases are made by gather and choose. */
  readonly role?: Exclude<PhaseRole, 'body'>;
}

/**
 * The phases of a plan being built: top-level phases opened in sequence, and the stack of
 * body phases (gather, choose) being filled right now.
 */
export class PhaseBook {
  readonly #phases = new Map<string, DraftPhase>();
  readonly #frames: BodyFrame[] = [];
  #current: DraftPhase | undefined;
  #opened = 0;

  /** The body phases being filled, outermost first. */
  get frames(): readonly BodyFrame[] {
    return this.#frames;
  }

  /** The top-level phase nodes currently join (undefined before any phase opened). */
  get current(): DraftPhase | undefined {
    return this.#current;
  }

  /** The phase a node added now joins: the innermost body, else the current phase. */
  get placement(): DraftPhase | undefined {
    return this.#frames.at(-1)?.phase ?? this.#current;
  }

  /** Whether any phase exists. */
  get isEmpty(): boolean {
    return this.#phases.size === 0;
  }

  /** Whether the body of flow node `flowNode` is being filled. */
  isFilling(flowNode: string): boolean {
    return this.#frames.some((frame) => frame.flowNode === flowNode);
  }

  /** Opens a top-level phase; `loose` lists nodes already added outside any phase. */
  open(name: string, options: PhaseOptions, loose: readonly string[]): PhaseHandle {
    if (this.#frames.length > 0) {
      throw new WritLoreError('invalid-input', `cannot open phase "${name}" inside a flow body`);
    }
    if (loose.length > 0) {
      const ids = loose.slice(0, 3).map((id) => `"${id}"`).join(', ');
      throw new WritLoreError(
        'invalid-input',
        `cannot open phase "${name}": ${loose.length} node(s) were added outside any phase (${ids})`,
        { hint: 'open a phase before adding nodes; in a phased plan every node is in a phase' },
      );
    }
    const role = options.role ?? 'forward';
    const { compensate, retry } = options;
    const phase: DraftPhase = {
      id: this.allocateId(options.id, `phase.${name}`),
      name,
      role,
      ...(retry === undefined ? {} : { retry: copyRetry(retry, name) }),
      ...(compensate === undefined ? {} : { compensate: typeof compensate === 'string' ? compensate : compensate.id }),
      nodes: [],
      order: this.#opened++,
    };
    this.#phases.set(phase.id, phase);
    this.#current = phase;
    return { id: phase.id, name, role };
  }

  /** `explicit` when free (a taken one is an error), else `derived` with `#2`, `#3`… on repeats. */
  allocateId(explicit: string | undefined, derived: string): string {
    if (explicit !== undefined && this.#phases.has(explicit)) {
      throw new WritLoreError('invalid-graph', `duplicate phase id "${explicit}"`);
    }
    if (explicit !== undefined) return explicit;
    if (!this.#phases.has(derived)) return derived;
    let counter = 2;
    while (this.#phases.has(`${derived}#${counter}`)) counter += 1;
    return `${derived}#${counter}`;
  }

  /** Takes the id of a body phase before its flow node exists (the node's slots name it). */
  reserveBody(derived: string): string {
    const id = this.allocateId(undefined, derived);
    this.#phases.set(id, { id, name: id, role: 'body', nodes: [] });
    return id;
  }

  /** Drops body phases reserved for a flow node that was rejected. */
  release(ids: readonly string[]): void {
    for (const id of ids) if (this.#phases.get(id)?.nodes.length === 0) this.#phases.delete(id);
  }

  /** Fills the body phase `phaseId` of `flowNode` with the nodes `build` adds (at least one). */
  fillBody(flowNode: string, phaseId: string, name: string, build: () => void): void {
    const phase: DraftPhase = { id: phaseId, name, role: 'body', nodes: [] };
    this.#phases.set(phaseId, phase);
    this.#frames.push({ phase, flowNode });
    try {
      build();
    } finally {
      this.#frames.pop();
    }
    if (phase.nodes.length === 0) {
      throw new WritLoreError('invalid-input', `body phase "${phaseId}" of "${flowNode}" has no nodes`, {
        hint: 'add at least one node in the body callback',
      });
    }
  }

  /** Every phase, in the order it was opened or reserved. */
  list(): DraftPhase[] {
    return [...this.#phases.values()];
  }
}
