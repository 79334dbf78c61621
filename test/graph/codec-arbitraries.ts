/** fast-check arbitraries for whole graphs, with strings chosen to break naive YAML writers. */
import fc from 'fast-check';
import {
  BACKOFF_STRATEGIES,
  EDGE_KINDS,
  GRAPH_STATES,
  NODE_STATUSES,
  PHASE_ROLES,
  PHASE_STATUSES,
  TOOLS,
} from '../../src/graph/types.js';
import type { Graph, JsonValue, Node, Phase, Slot } from '../../src/graph/types.js';

/** Strings YAML would read as something else, or that break the syntax when written raw. */
export const NASTY_STRINGS = [
  '', ' ', '0644', '0600', '0755', '0o17', '0x1F', '1.0', '1e3', '.5', '-1', '+1', '1_000', '12:30:00',
  'true', 'False', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'null', 'Null', '~', '.inf', '-.Inf', '.nan',
  '2026-01-01', '2026-01-01T00:00:00.000Z', '---', '...', '- x', '-', '? x', ': x', 'a: b', 'a:', 'a::b',
  '#', 'a #b', ' lead', 'trail ', '\n', 'a\nb', 'a\r\nb', '\t', '"', "'", '\\', '"quoted"', "it's",
  '[', ']', '{', '}', '[]', '{}', '{a: 1}', '&anchor', '*alias', '!tag', '!!str', '%YAML', '@at',
  '`tick', '|', '>', '<<', '=', ',', '/home/kim/.config', '~/x', 'é', 'naïve/日本語', '😀', '👩‍👩‍👧',
  '\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff',
  '\ud800', '\udfff', 'x'.repeat(1500), 'long line '.repeat(300), '__proto__x', 'constructor',
];

/** Any string, biased towards the nasty ones. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z/._-]{1,16}$/) },
);

/** A map key: any nasty string but `__proto__`, which the reader rejects on purpose. */
export const nastyKey = nastyString.filter((key) => key !== '__proto__');

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER),
);

/** Any JSON value, falsy ones included. */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<JsonValue>(null, false, true, 0, '', [], {}),
    number,
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const slot: fc.Arbitrary<Slot> = fc.oneof(
  jsonValue.map((value): Slot => ({ kind: 'immediate', value })),
  fc.record({ kind: fc.constant('promise' as const), node: nastyString, slot: nastyString }, { requiredKeys: ['kind', 'node'] }),
  fc.record({ kind: fc.constant('proxy' as const), gather: nastyString, field: nastyString }, { requiredKeys: ['kind', 'gather'] }),
);

const stringMap = fc.dictionary(nastyKey, nastyString, { maxKeys: 3 });
const jsonMap = fc.dictionary(nastyKey, jsonValue, { maxKeys: 3 });

const node: fc.Arbitrary<Node> = fc.record(
  {
    id: nastyString,
    action: nastyString,
    status: fc.constantFrom(...NODE_STATUSES),
    phase: nastyString,
    project: nastyString,
    layer: nastyString,
    slots: fc.dictionary(nastyKey, slot, { maxKeys: 4 }),
    annotations: stringMap,
    error: nastyString,
    started_at: nastyString,
    finished_at: nastyString,
    source_digest: nastyString,
    target_digest: nastyString,
    undo: jsonValue,
  },
  { requiredKeys: ['id', 'action', 'status', 'slots'] },
);

const duration = fc.constantFrom('0', '500ms', '2s', '1m30s', '1.5s');

const phase: fc.Arbitrary<Phase> = fc.record(
  {
    id: nastyString,
    name: nastyString,
    status: fc.constantFrom(...PHASE_STATUSES),
    role: fc.constantFrom(...PHASE_ROLES),
    retry: fc.record(
      {
        max_attempts: fc.integer({ min: 1, max: 9 }),
        backoff: fc.constantFrom(...BACKOFF_STRATEGIES),
        initial_delay: duration,
        max_delay: duration,
        jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      },
      { requiredKeys: ['max_attempts', 'backoff'] },
    ),
    nodes: fc.array(nastyString, { maxLength: 3 }),
    compensate: nastyString,
    attempts: fc.array(
      fc.record(
        { number: fc.integer({ min: 1, max: 5 }), status: fc.constantFrom('completed' as const, 'failed' as const), error: nastyString, timestamp: nastyString },
        { requiredKeys: ['number', 'status', 'timestamp'] },
      ),
      { maxLength: 3 },
    ),
    state: jsonMap,
  },
  { requiredKeys: ['id', 'name', 'status', 'nodes'] },
);

/** Any graph the schema allows (not necessarily one that validates as a plan). */
export const graphArbitrary: fc.Arbitrary<Graph> = fc.record(
  {
    version: fc.constant('1'),
    tool: fc.constantFrom(...TOOLS),
    timestamp: nastyString,
    state: fc.constantFrom(...GRAPH_STATES),
    platform: fc.record({ os: nastyString, arch: nastyString }),
    context: fc.record(
      {
        target_root: nastyString,
        projects: fc.array(nastyString, { maxLength: 3 }),
        layers: fc.array(fc.record({ name: nastyString, path: nastyString }), { maxLength: 2 }),
        segments: stringMap,
        packages: fc.array(nastyString, { maxLength: 2 }),
        prefix: nastyString,
        registry: nastyString,
        features: fc.array(nastyString, { maxLength: 2 }),
        settings: stringMap,
        variables: jsonMap,
        conflict: nastyString,
      },
      { requiredKeys: [] },
    ),
    nodes: fc.array(node, { maxLength: 5 }),
    edges: fc.array(fc.record({ from: nastyString, to: nastyString, kind: fc.constantFrom(...EDGE_KINDS) }), { maxLength: 4 }),
    phases: fc.array(phase, { maxLength: 3 }),
    collisions: fc.array(
      fc.record(
        { target: nastyString, winner: nastyString, winner_layer: nastyString, loser: nastyString, loser_layer: nastyString, reason: nastyString },
        { requiredKeys: ['target', 'winner', 'loser', 'reason'] },
      ),
      { maxLength: 2 },
    ),
    summary: fc.record({
      total: fc.nat(),
      by_status: fc.record(
        Object.fromEntries(NODE_STATUSES.map((status) => [status, fc.nat()])) as Record<(typeof NODE_STATUSES)[number], fc.Arbitrary<number>>,
        { requiredKeys: [] },
      ),
      by_action: fc.dictionary(nastyKey, fc.nat(), { maxKeys: 3 }),
    }),
    rollback: fc.array(
      fc.record(
        { phase: nastyString, compensate: nastyString, status: fc.constantFrom('completed' as const, 'failed' as const, 'skipped' as const), error: nastyString, timestamp: nastyString },
        { requiredKeys: ['phase', 'status', 'timestamp'] },
      ),
      { maxLength: 2 },
    ),
    checksum: nastyString,
    signature: fc.record({ method: fc.constant('ed25519' as const), key_id: nastyString, value: nastyString }),
  },
  { requiredKeys: ['version', 'tool', 'timestamp', 'state', 'platform', 'context', 'nodes', 'edges'] },
);

/** Rebuilds every plain object of `value` with its keys inserted in reverse order. */
export function reverseKeyOrder<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => reverseKeyOrder(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const reversed: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) reversed[key] = reverseKeyOrder((value as Record<string, unknown>)[key]);
  return reversed as T;
}
