/**
 * The graph model (DESIGN.md §2): the plan before a run and the receipt after it are the same
 * document. Everything here is plain data: JSON-serialisable, no classes, no functions.
 */

/** The document format version written into every graph. */
export const GRAPH_FORMAT_VERSION = '1';

/** Any JSON value. Slot immediates, undo states and results on disk are JSON. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** The tools that produce graphs. */
export const TOOLS = ['writ', 'lore'] as const;
/** One of {@link TOOLS}. */
export type Tool = (typeof TOOLS)[number];

/** Graph states: `pending` is a plan; every other state is a receipt and never runs again. */
export const GRAPH_STATES = ['pending', 'executed', 'failed', 'rolled_back', 'interrupted'] as const;
/** One of {@link GRAPH_STATES}. */
export type GraphState = (typeof GRAPH_STATES)[number];

/** Node statuses. `compensated` is a node that completed and was then undone. */
export const NODE_STATUSES = [
  'pending',
  'running',
  'completed',
  'skipped',
  'failed',
  'compensated',
] as const;
/** One of {@link NODE_STATUSES}. */
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** Phase statuses. */
export const PHASE_STATUSES = ['pending', 'completed', 'failed', 'rolled_back', 'skipped'] as const;
/** One of {@link PHASE_STATUSES}. */
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

/**
 * What a phase is for. `forward` phases run in order; `compensation` phases run only during
 * rollback (a forward phase names one in `compensate`); `body` phases run only when a flow
 * action (gather, choose) invokes them. On disk `forward` is the default and is omitted.
 */
export const PHASE_ROLES = ['forward', 'compensation', 'body'] as const;
/** One of {@link PHASE_ROLES}. */
export type PhaseRole = (typeof PHASE_ROLES)[number];

/** Edge kinds: `data` when the target has a promise slot on the source, `order` otherwise. */
export const EDGE_KINDS = ['data', 'order'] as const;
/** One of {@link EDGE_KINDS}. */
export type EdgeKind = (typeof EDGE_KINDS)[number];

/** Backoff strategies of a {@link RetryPolicy}. */
export const BACKOFF_STRATEGIES = ['none', 'linear', 'exponential'] as const;
/** One of {@link BACKOFF_STRATEGIES}. */
export type BackoffStrategy = (typeof BACKOFF_STRATEGIES)[number];

/**
 * A node input (TypeScript form). On disk the codec writes key-presence form:
 * `{immediate: V}` · `{node_ref: ID, slot?: NAME}` · `{gather_ref: ID, field?: F}`.
 */
export type Slot = ImmediateSlot | PromiseSlot | ProxySlot;

/** A value known when the plan is built. */
export interface ImmediateSlot {
  readonly kind: 'immediate';
  readonly value: JsonValue;
}

/**
 * A promise of another node's result: the whole result, or `result[slot]` when `slot` is set.
 * A promise slot always comes with a `data` edge from `node` to the consumer.
 */
export interface PromiseSlot {
  readonly kind: 'promise';
  readonly node: string;
  readonly slot?: string;
}

/**
 * A proxy to the current item of the gather node `gather`: the item itself, or `item[field]`
 * when `field` is set.
 */
export interface ProxySlot {
  readonly kind: 'proxy';
  readonly gather: string;
  readonly field?: string;
}

/** Named slots of a node. */
export type Slots = Readonly<Record<string, Slot>>;

/**
 * A retry policy as plain data (Temporal style). `max_attempts` is the total number of tries
 * (1 = no retry). Delays are duration strings (`500ms`, `2s`, `1m30s`). The delay before retry
 * `a` (0-based) is `initial_delay` for `none`, `initial_delay·(a+1)` for `linear`,
 * `initial_delay·2^a` for `exponential`, capped at `max_delay`; `jitter` (0–1) spreads it by up
 * to that fraction either way.
 */
export interface RetryPolicy {
  readonly max_attempts: number;
  readonly backoff: BackoffStrategy;
  readonly initial_delay?: string;
  readonly max_delay?: string;
  readonly jitter?: number;
}

/** One try of a phase. */
export interface Attempt {
  readonly number: number;
  readonly status: 'completed' | 'failed';
  readonly error?: string;
  /** When the attempt ended (UTC ISO 8601 with milliseconds). */
  readonly timestamp: string;
}

/** One unit of work. */
export interface Node {
  readonly id: string;
  readonly action: string;
  status: NodeStatus;
  readonly slots: Slots;
  readonly project?: string;
  readonly layer?: string;
  /** The phase this node belongs to (phased graphs). */
  readonly phase?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Why the node failed (`failed`) or was not run (`skipped`). */
  error?: string;
  started_at?: string;
  finished_at?: string;
  /** Digest (`sha256:…`) of the content read, when the action reads a source. */
  source_digest?: string;
  /** Digest (`sha256:…`) of the content written, when the action writes a file. */
  target_digest?: string;
  /** Serialisable undo state: enough to undo this node from the receipt alone. */
  undo?: JsonValue;
}

/** A dependency: `from` must complete before `to` starts. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

/** A group of nodes run, retried and compensated together (saga step). */
export interface Phase {
  readonly id: string;
  readonly name: string;
  status: PhaseStatus;
  readonly role?: PhaseRole;
  readonly retry?: RetryPolicy;
  readonly nodes: readonly string[];
  /** The id of the compensation phase run if this phase must be rolled back. */
  readonly compensate?: string;
  attempts?: Attempt[];
  /** Free-form per-phase state recorded by the executor (e.g. gather item counts). */
  state?: Record<string, JsonValue>;
}

/** Two sources for one target, and which won. */
export interface Collision {
  readonly target: string;
  readonly winner: string;
  readonly winner_layer?: string;
  readonly loser: string;
  readonly loser_layer?: string;
  readonly reason: string;
}

/** One step of a rollback: a phase's nodes undone, or its compensation phase run. */
export interface RollbackEntry {
  /** The phase rolled back (id). */
  readonly phase: string;
  /** The compensation phase that ran, when there was one. */
  readonly compensate?: string;
  readonly status: 'completed' | 'failed' | 'skipped';
  readonly error?: string;
  readonly timestamp: string;
}

/** Counts over the nodes of a graph. */
export interface Summary {
  readonly total: number;
  readonly by_status: Readonly<Partial<Record<NodeStatus, number>>>;
  /** Completed nodes per action name. */
  readonly by_action: Readonly<Record<string, number>>;
}

/** The machine a graph was planned on. `os` and `arch` are Node's `process.platform`/`arch`. */
export interface Platform {
  readonly os: string;
  readonly arch: string;
}

/** A layer of a writ repository. */
export interface LayerRef {
  readonly name: string;
  readonly path: string;
}

/** What the graph was built from; every key optional, all plain data. */
export interface GraphContext {
  readonly target_root?: string;
  readonly projects?: readonly string[];
  readonly layers?: readonly LayerRef[];
  readonly segments?: Readonly<Record<string, string>>;
  readonly packages?: readonly string[];
  readonly prefix?: string;
  readonly registry?: string;
  readonly features?: readonly string[];
  readonly settings?: Readonly<Record<string, string>>;
  readonly variables?: Readonly<Record<string, JsonValue>>;
  /** The conflict resolution the run used (writ). */
  readonly conflict?: string;
}

/** An Ed25519 signature over the checksum (DESIGN.md §3). */
export interface Signature {
  readonly method: 'ed25519';
  readonly key_id: string;
  readonly value: string;
}

/** The whole document: a plan when `state` is `pending`, a receipt otherwise. */
export interface Graph {
  readonly version: string;
  readonly tool: Tool;
  /** Creation time of the plan (UTC ISO 8601 with milliseconds). */
  readonly timestamp: string;
  state: GraphState;
  readonly platform: Platform;
  readonly context: GraphContext;
  readonly nodes: Node[];
  readonly edges: Edge[];
  phases?: Phase[];
  collisions?: Collision[];
  summary?: Summary;
  rollback?: RollbackEntry[];
  checksum?: string;
  signature?: Signature;
}
