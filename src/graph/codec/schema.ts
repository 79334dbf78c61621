/**
 * The on-disk schema of a graph document: ONE declarative table per object type. The writer
 * takes its key order from these tables and the reader validates against them, so adding a
 * field to `types.ts` is one line here (the `SchemaOf` mapped type makes a missing line a
 * compile error). The key order of each table is the canonical order on disk.
 */
import {
  BACKOFF_STRATEGIES,
  EDGE_KINDS,
  GRAPH_STATES,
  NODE_STATUSES,
  PHASE_ROLES,
  PHASE_STATUSES,
  TOOLS,
} from '../types.js';
import type {
  Attempt,
  Collision,
  Edge,
  Graph,
  GraphContext,
  LayerRef,
  Node,
  Phase,
  Platform,
  RetryPolicy,
  RollbackEntry,
  Signature,
  Summary,
} from '../types.js';

/** The type of one field on disk. Free-form kinds (`json`, maps) are written with sorted keys. */
export type FieldType =
  | { readonly kind: 'string' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'integer'; readonly min: number }
  | { readonly kind: 'fraction' }
  | { readonly kind: 'duration' }
  | { readonly kind: 'json' }
  | { readonly kind: 'string-map' }
  | { readonly kind: 'json-map' }
  | { readonly kind: 'count-map'; readonly keys?: readonly string[] }
  | { readonly kind: 'slots' }
  | { readonly kind: 'list'; readonly of: FieldType }
  | { readonly kind: 'object'; readonly schema: ObjectSchema };

/** One key of an object type: its type and whether it must be present. */
export interface FieldSpec {
  readonly type: FieldType;
  readonly required: boolean;
}

/** The fields of one object type, in canonical key order, and the name used in messages. */
export interface ObjectSchema {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** Exactly one field spec per property of `T` (declaration order = canonical order). */
type SchemaOf<T> = { readonly [K in keyof Required<T>]: FieldSpec };

const STRING: FieldType = { kind: 'string' };
const JSON_VALUE: FieldType = { kind: 'json' };
const COUNT: FieldType = { kind: 'integer', min: 0 };

function oneOf(values: readonly string[]): FieldType {
  return { kind: 'enum', values };
}
function listOf(of: FieldType): FieldType {
  return { kind: 'list', of };
}
function objectOf(schema: ObjectSchema): FieldType {
  return { kind: 'object', schema };
}
function req(type: FieldType): FieldSpec {
  return { type, required: true };
}
function opt(type: FieldType): FieldSpec {
  return { type, required: false };
}
function schemaOf<T>(name: string, fields: SchemaOf<T>): ObjectSchema {
  return { name, fields };
}

/** Platform: `os`, `arch`. */
export const PLATFORM_SCHEMA = schemaOf<Platform>('platform', { os: req(STRING), arch: req(STRING) });

/** A layer reference in the context. */
export const LAYER_SCHEMA = schemaOf<LayerRef>('layer', { name: req(STRING), path: req(STRING) });

/** What the graph was built from. */
export const CONTEXT_SCHEMA = schemaOf<GraphContext>('context', {
  target_root: opt(STRING),
  projects: opt(listOf(STRING)),
  layers: opt(listOf(objectOf(LAYER_SCHEMA))),
  segments: opt({ kind: 'string-map' }),
  packages: opt(listOf(STRING)),
  prefix: opt(STRING),
  registry: opt(STRING),
  features: opt(listOf(STRING)),
  settings: opt({ kind: 'string-map' }),
  variables: opt({ kind: 'json-map' }),
  conflict: opt(STRING),
});

/** A node: identity first, then inputs, then what the run recorded. */
export const NODE_SCHEMA = schemaOf<Node>('node', {
  id: req(STRING),
  action: req(STRING),
  status: req(oneOf(NODE_STATUSES)),
  phase: opt(STRING),
  project: opt(STRING),
  layer: opt(STRING),
  slots: req({ kind: 'slots' }),
  annotations: opt({ kind: 'string-map' }),
  error: opt(STRING),
  started_at: opt(STRING),
  finished_at: opt(STRING),
  source_digest: opt(STRING),
  target_digest: opt(STRING),
  undo: opt(JSON_VALUE),
});

/** An edge. */
export const EDGE_SCHEMA = schemaOf<Edge>('edge', {
  from: req(STRING),
  to: req(STRING),
  kind: req(oneOf(EDGE_KINDS)),
});

/** A retry policy. */
export const RETRY_SCHEMA = schemaOf<RetryPolicy>('retry', {
  max_attempts: req({ kind: 'integer', min: 1 }),
  backoff: req(oneOf(BACKOFF_STRATEGIES)),
  initial_delay: opt({ kind: 'duration' }),
  max_delay: opt({ kind: 'duration' }),
  jitter: opt({ kind: 'fraction' }),
});

/** One try of a phase. */
export const ATTEMPT_SCHEMA = schemaOf<Attempt>('attempt', {
  number: req({ kind: 'integer', min: 1 }),
  status: req(oneOf(['completed', 'failed'])),
  error: opt(STRING),
  timestamp: req(STRING),
});

/** A phase. */
export const PHASE_SCHEMA = schemaOf<Phase>('phase', {
  id: req(STRING),
  name: req(STRING),
  status: req(oneOf(PHASE_STATUSES)),
  role: opt(oneOf(PHASE_ROLES)),
  retry: opt(objectOf(RETRY_SCHEMA)),
  nodes: req(listOf(STRING)),
  compensate: opt(STRING),
  attempts: opt(listOf(objectOf(ATTEMPT_SCHEMA))),
  state: opt({ kind: 'json-map' }),
});

/** A collision between two sources for one target. */
export const COLLISION_SCHEMA = schemaOf<Collision>('collision', {
  target: req(STRING),
  winner: req(STRING),
  winner_layer: opt(STRING),
  loser: req(STRING),
  loser_layer: opt(STRING),
  reason: req(STRING),
});

/** Node counts. */
export const SUMMARY_SCHEMA = schemaOf<Summary>('summary', {
  total: req(COUNT),
  by_status: req({ kind: 'count-map', keys: NODE_STATUSES }),
  by_action: req({ kind: 'count-map' }),
});

/** One rollback step. */
export const ROLLBACK_SCHEMA = schemaOf<RollbackEntry>('rollback entry', {
  phase: req(STRING),
  compensate: opt(STRING),
  status: req(oneOf(['completed', 'failed', 'skipped'])),
  error: opt(STRING),
  timestamp: req(STRING),
});

/** A signature. */
export const SIGNATURE_SCHEMA = schemaOf<Signature>('signature', {
  method: req(oneOf(['ed25519'])),
  key_id: req(STRING),
  value: req(STRING),
});

/** The whole document. `checksum` and `signature` come last: canonical content stops before them. */
export const GRAPH_SCHEMA = schemaOf<Graph>('graph', {
  version: req(STRING),
  tool: req(oneOf(TOOLS)),
  timestamp: req(STRING),
  state: req(oneOf(GRAPH_STATES)),
  platform: req(objectOf(PLATFORM_SCHEMA)),
  context: req(objectOf(CONTEXT_SCHEMA)),
  nodes: req(listOf(objectOf(NODE_SCHEMA))),
  edges: req(listOf(objectOf(EDGE_SCHEMA))),
  phases: opt(listOf(objectOf(PHASE_SCHEMA))),
  collisions: opt(listOf(objectOf(COLLISION_SCHEMA))),
  summary: opt(objectOf(SUMMARY_SCHEMA)),
  rollback: opt(listOf(objectOf(ROLLBACK_SCHEMA))),
  checksum: opt(STRING),
  signature: opt(objectOf(SIGNATURE_SCHEMA)),
});

/** On-disk keys of a slot (key-presence form); exactly one of the first three is present. */
export const SLOT_KEYS = {
  immediate: 'immediate',
  nodeRef: 'node_ref',
  slot: 'slot',
  gatherRef: 'gather_ref',
  field: 'field',
} as const;
