import {
  GRAPH_STATES,
  TOOLS,
  WritLoreError,
  type GraphContext,
  type GraphState,
  type JsonValue,
  type Platform,
  type Tool,
} from '../graph/index.js';

/** The journal format version written into every run-start record. */
export const JOURNAL_FORMAT_VERSION = 1;

/** Which run of a node: absent outside flow bodies, else the flow node and item index. */
export interface JournalIteration {
  readonly flow: string;
  readonly index: number;
}

/** The first record: what is needed to write a receipt without the plan file. */
export interface RunStartRecord {
  readonly kind: 'run-start';
  readonly v: typeof JOURNAL_FORMAT_VERSION;
  /** The receipt stem this run will be recorded under. */
  readonly run: string;
  readonly tool: Tool;
  /** The plan's timestamp. */
  readonly timestamp: string;
  /** The plan's checksum (`sha256:…`), when the plan carried one (a saved plan always does). */
  readonly plan_checksum?: string;
  readonly started_at: string;
  readonly pid: number;
  readonly platform: Platform;
  readonly context: GraphContext;
}

/** A compensation registered, journalled (and fsynced) before the action acts. */
export interface UndoRegisteredRecord {
  readonly kind: 'undo-registered';
  readonly node: string;
  readonly action: string;
  readonly undo: JsonValue;
  /** The target path the node writes, when it has one (for the recovered receipt). */
  readonly target?: string;
  readonly iteration?: JournalIteration;
}

/**
 * Undo registrations journalled before the run for `file.link` steps that place a symlink on a
 * free path, in columns: entry `i` is node `nodes[i]` registering the state
 * `{kind: place, path: targets[i], prior: {type: missing}, backup: null, placed: {type:
 * symlink, link_target: link_targets[i]}, created_dirs: created_dirs[i]}` (see `freeLinkUndo`).
 * Equivalent to that many `undo-registered` records, in that order.
 */
export interface LinksPlannedRecord {
  readonly kind: 'links-planned';
  readonly nodes: readonly string[];
  readonly targets: readonly string[];
  readonly link_targets: readonly string[];
  readonly created_dirs: readonly (readonly string[])[];
}

/** A node finished (its final undo state, when it returned one). */
export interface NodeDoneRecord {
  readonly kind: 'node-done';
  readonly node: string;
  readonly action: string;
  readonly status: 'completed' | 'failed';
  readonly undo?: JsonValue;
  readonly error?: string;
  readonly target?: string;
  readonly iteration?: JournalIteration;
}

/**
 * Nodes that completed keeping the undo state they registered last, outside flow bodies:
 * equivalent to a `node-done` record (status `completed`, no undo, error or target) for each.
 */
export interface NodesDoneRecord {
  readonly kind: 'nodes-done';
  readonly action: string;
  readonly nodes: readonly string[];
}

/** A node's undo ran (during the run's own rollback or during recovery). */
export interface CompensationDoneRecord {
  readonly kind: 'compensation-done';
  readonly node: string;
  readonly status: 'compensated' | 'not-compensable' | 'failed';
  readonly error?: string;
  readonly iteration?: JournalIteration;
}

/** The run reached its final state (the receipt is written next). */
export interface RunEndRecord {
  readonly kind: 'run-end';
  readonly state: GraphState;
}

/** One line of a journal: a discriminated union on `kind`. */
export type JournalRecord =
  | RunStartRecord
  | UndoRegisteredRecord
  | LinksPlannedRecord
  | NodeDoneRecord
  | NodesDoneRecord
  | CompensationDoneRecord
  | RunEndRecord;

type Fields = Readonly<Record<string, unknown>>;

function bad(where: string, why: string): WritLoreError {
  return new WritLoreError('integrity', `${where}: malformed journal record (${why})`, { path: where });
}

function text(fields: Fields, key: string, where: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw bad(where, `"${key}" must be a string`);
  return value;
}

function optionalText(fields: Fields, key: string, where: string): { [key: string]: string } {
  const value = fields[key];
  if (value === undefined) return {};
  if (typeof value !== 'string') throw bad(where, `"${key}" must be a string`);
  return { [key]: value };
}

function oneOf<T extends string>(fields: Fields, key: string, allowed: readonly T[], where: string): T {
  const value = text(fields, key, where);
  if (!(allowed as readonly string[]).includes(value)) throw bad(where, `"${key}" is ${JSON.stringify(value)}`);
  return value as T;
}

function iteration(fields: Fields, where: string): { iteration?: JournalIteration } {
  const value = fields['iteration'];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw bad(where, '"iteration" must be an object');
  const it = value as Fields;
  const index = it['index'];
  if (typeof index !== 'number' || !Number.isInteger(index)) throw bad(where, '"iteration.index" must be an integer');
  return { iteration: { flow: text(it, 'flow', where), index } };
}

function json(fields: Fields, key: string): { [key: string]: JsonValue } {
  // Parsed from JSON text, so whatever is there is a JsonValue by construction.
  return key in fields ? { [key]: fields[key] as JsonValue } : {};
}

function texts(fields: Fields, key: string, where: string): string[] {
  return stringList(fields[key], `"${key}"`, where);
}

function stringList(value: unknown, what: string, where: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw bad(where, `${what} must be a list of strings`);
  return value as string[];
}

function linksPlanned(fields: Fields, where: string): LinksPlannedRecord {
  const nodes = texts(fields, 'nodes', where);
  const targets = texts(fields, 'targets', where);
  const linkTargets = texts(fields, 'link_targets', where);
  const dirs = fields['created_dirs'];
  if (!Array.isArray(dirs)) throw bad(where, '"created_dirs" must be a list');
  const createdDirs = dirs.map((item: unknown, index) => stringList(item, `"created_dirs[${index}]"`, where));
  if (targets.length !== nodes.length || linkTargets.length !== nodes.length || createdDirs.length !== nodes.length) {
    throw bad(where, 'its columns differ in length');
  }
  return { kind: 'links-planned', nodes, targets, link_targets: linkTargets, created_dirs: createdDirs };
}

function object<T>(fields: Fields, key: string, where: string): T {
  const value = fields[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(where, `"${key}" must be an object`);
  return value as T;
}

/** Checks a parsed journal line and returns it as a typed record. */
export function toJournalRecord(value: unknown, where: string): JournalRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(where, 'not an object');
  const fields = value as Fields;
  const kind = text(fields, 'kind', where);
  switch (kind) {
    case 'run-start': {
      if (fields['v'] !== JOURNAL_FORMAT_VERSION) throw bad(where, `unsupported version ${JSON.stringify(fields['v'])}`);
      const pid = fields['pid'];
      if (typeof pid !== 'number') throw bad(where, '"pid" must be a number');
      return {
        kind, v: JOURNAL_FORMAT_VERSION, run: text(fields, 'run', where), tool: oneOf(fields, 'tool', TOOLS, where),
        timestamp: text(fields, 'timestamp', where), ...optionalText(fields, 'plan_checksum', where),
        started_at: text(fields, 'started_at', where), pid,
        platform: object<Platform>(fields, 'platform', where), context: object<GraphContext>(fields, 'context', where),
      };
    }
    case 'undo-registered':
      if (!('undo' in fields)) throw bad(where, 'missing "undo"');
      return {
        kind, node: text(fields, 'node', where), action: text(fields, 'action', where),
        undo: fields['undo'] as JsonValue, ...optionalText(fields, 'target', where), ...iteration(fields, where),
      };
    case 'links-planned':
      return linksPlanned(fields, where);
    case 'nodes-done':
      return { kind, action: text(fields, 'action', where), nodes: texts(fields, 'nodes', where) };
    case 'node-done':
      return {
        kind, node: text(fields, 'node', where), action: text(fields, 'action', where),
        status: oneOf(fields, 'status', ['completed', 'failed'] as const, where), ...json(fields, 'undo'),
        ...optionalText(fields, 'error', where), ...optionalText(fields, 'target', where), ...iteration(fields, where),
      };
    case 'compensation-done':
      return {
        kind, node: text(fields, 'node', where),
        status: oneOf(fields, 'status', ['compensated', 'not-compensable', 'failed'] as const, where),
        ...optionalText(fields, 'error', where), ...iteration(fields, where),
      };
    case 'run-end':
      return { kind, state: oneOf(fields, 'state', GRAPH_STATES, where) };
    default:
      throw bad(where, `unknown kind ${JSON.stringify(kind)}`);
  }
}

/** The key that identifies one run of a node (id, plus the flow iteration when in a body). */
export function nodeKey(record: { readonly node: string; readonly iteration?: JournalIteration }): string {
  const it = record.iteration;
  return it === undefined ? record.node : `${record.node}[${it.flow}#${it.index}]`;
}

/*
 * Hand-built JSON for the records a run writes once per node. They have a fixed shape, so the
 * text is assembled from the few variable parts (strings escaped by JSON.stringify, the undo
 * state stringified once by the caller) instead of stringifying a fresh object per record. The
 * output is exactly `JSON.stringify` of the equivalent record, keys in the same order.
 */

/** The optional tail shared by node records: `,"iteration":{…}` or nothing. */
function iterationJson(iteration: JournalIteration | undefined): string {
  return iteration === undefined ? '' : `,"iteration":{"flow":${JSON.stringify(iteration.flow)},"index":${iteration.index}}`;
}

/** An {@link UndoRegisteredRecord} as JSON, around an undo state already stringified. */
export function undoRegisteredJson(
  node: string,
  action: string,
  undoJson: string,
  target: string | undefined,
  iteration: JournalIteration | undefined,
): string {
  return `{"kind":"undo-registered","node":${JSON.stringify(node)},"action":${JSON.stringify(action)},"undo":${undoJson}${
    target === undefined ? '' : `,"target":${JSON.stringify(target)}`
  }${iterationJson(iteration)}}`;
}

/** A {@link NodeDoneRecord} as JSON (`undoJson`: the undo state already stringified, when recorded). */
export function nodeDoneJson(
  node: string,
  action: string,
  status: NodeDoneRecord['status'],
  undoJson: string | undefined,
  error: string | undefined,
  target: string | undefined,
  iteration: JournalIteration | undefined,
): string {
  return `{"kind":"node-done","node":${JSON.stringify(node)},"action":${JSON.stringify(action)},"status":"${status}"${
    undoJson === undefined ? '' : `,"undo":${undoJson}`
  }${error === undefined ? '' : `,"error":${JSON.stringify(error)}`}${
    target === undefined ? '' : `,"target":${JSON.stringify(target)}`
  }${iterationJson(iteration)}}`;
}

/** A {@link LinksPlannedRecord} as JSON (exactly `JSON.stringify` of the record). */
export function linksPlannedJson(record: Omit<LinksPlannedRecord, 'kind'>): string {
  const { nodes, targets, link_targets: linkTargets, created_dirs: createdDirs } = record;
  return `{"kind":"links-planned","nodes":${JSON.stringify(nodes)},"targets":${JSON.stringify(targets)},"link_targets":${JSON.stringify(
    linkTargets,
  )},"created_dirs":${JSON.stringify(createdDirs)}}`;
}

/** A {@link NodesDoneRecord} as JSON. */
export function nodesDoneJson(action: string, nodes: readonly string[]): string {
  return `{"kind":"nodes-done","action":${JSON.stringify(action)},"nodes":${JSON.stringify(nodes)}}`;
}

/** A {@link CompensationDoneRecord} as JSON. */
export function compensationDoneJson(
  node: string,
  status: CompensationDoneRecord['status'],
  error: string | undefined,
  iteration: JournalIteration | undefined,
): string {
  return `{"kind":"compensation-done","node":${JSON.stringify(node)},"status":"${status}"${
    error === undefined ? '' : `,"error":${JSON.stringify(error)}`
  }${iterationJson(iteration)}}`;
}
