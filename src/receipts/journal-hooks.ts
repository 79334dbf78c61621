import type { ExecutorHooks } from '../executor/index.js';
import type { JsonValue, Node } from '../graph/index.js';
import type { Journal } from './journal.js';
import { FREE_LINK_ACTION, freeLinkOf, undoStateJson, type FreeLink } from './journal-undo-json.js';
import {
  compensationDoneJson,
  linksPlannedJson,
  nodeDoneJson,
  nodeKey,
  nodesDoneJson,
  undoRegisteredJson,
  type CompensationDoneRecord,
  type JournalIteration,
} from './journal-records.js';

/** The target path a node writes, when its `path` slot is an immediate string. */
export function targetOf(node: Node): { target?: string } {
  const target = targetPath(node);
  return target === undefined ? {} : { target };
}

function targetPath(node: Node): string | undefined {
  const slot = node.slots['path'];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

function keyOf(node: Node, iteration: JournalIteration | undefined): string {
  return iteration === undefined ? node.id : nodeKey({ node: node.id, iteration });
}

/**
 * An undo registration journalled before the run started: a node's predicted undo state (see
 * `ProbeOutcome.undo`). When the node registers an equal state as it runs, the record is
 * already durable and the step goes on without a journal write.
 */
export interface PreRegistration {
  readonly node: string;
  readonly action: string;
  readonly undo: JsonValue;
  /** The path the node writes. */
  readonly target: string;
  /** The state's parts when it is a free link on `target` (journalled in a `links-planned` record). */
  readonly freeLink: FreeLink | undefined;
  /**
   * Whether `undo` is frozen (deep-frozen, as `ProbeOutcome.undo` must be: the root is what is
   * checked): registering that very object is then known unchanged, without comparing.
   */
  readonly isFrozen: boolean;
}

/** A pre-registration of `node`'s predicted `undo`. */
export function preRegister(node: string, action: string, undo: JsonValue, target: string): PreRegistration {
  const link = action === FREE_LINK_ACTION ? freeLinkOf(undo) : undefined;
  const freeLink = link !== undefined && link.path === target ? link : undefined;
  return { node, action, undo, target, freeLink, isFrozen: typeof undo === 'object' && undo !== null && Object.isFrozen(undo) };
}

/**
 * The journal lines (JSON) of pre-registrations, in their order: each run of free links is one
 * `links-planned` record (a few columns, stringified natively), anything else one
 * `undo-registered` record, exactly as the node would journal it when it registers.
 */
export function preRegistrationLines(entries: readonly PreRegistration[]): string[] {
  const lines: string[] = [];
  let links: { nodes: string[]; targets: string[]; link_targets: string[]; created_dirs: (readonly string[])[] } | undefined;
  const endLinks = (): void => {
    if (links !== undefined) lines.push(linksPlannedJson(links));
    links = undefined;
  };
  for (const entry of entries) {
    const link = entry.freeLink;
    if (link === undefined) {
      endLinks();
      lines.push(undoRegisteredJson(entry.node, entry.action, undoStateJson(entry.undo), entry.target, undefined));
      continue;
    }
    links ??= { nodes: [], targets: [], link_targets: [], created_dirs: [] };
    links.nodes.push(entry.node);
    links.targets.push(link.path);
    links.link_targets.push(link.link_target);
    links.created_dirs.push(link.created_dirs);
  }
  endLinks();
  return lines;
}

/**
 * The last undo state journalled for a node run: the latest equal object, and its JSON (made
 * when first needed for a deep-frozen state, which cannot change; else when journalled).
 */
interface Journalled {
  value: JsonValue;
  json: string | undefined;
  /** Whether `value` is deep-frozen (registered again, it cannot have changed). */
  isFrozen: boolean;
}

function jsonOf(last: Journalled): string {
  return (last.json ??= undoStateJson(last.value));
}

/** Completed nodes are journalled in `nodes-done` records of at most this many. */
const DONE_BATCH = 1024;

/**
 * The executor hooks that feed a run's journal. An undo registration is committed (written and
 * fdatasynced, group-committed with registrations of other running nodes when the journal
 * batches) before the hook's promise resolves, which is before the action's destructive step.
 * Node and compensation records are only buffered: they reach the file with the next commit.
 * Losing them in a crash is safe: recovery then undoes a node that had finished (its
 * registration was durable before it acted, and undo is idempotent) or undoes again one that
 * was already compensated. Registering the same undo state again (the executor re-registers
 * what `do` returns) adds nothing to recover from and costs no record, and a node-done record
 * repeats the undo state only when it changed. `preRegistered` are registrations journalled
 * (durably) before the run: a node registering the same state costs no record and no write.
 */
export function journalHooks(journal: Journal, preRegistered: readonly PreRegistration[] = []): ExecutorHooks {
  const journalled = new Map<string, Journalled>();
  for (const { node, undo, isFrozen } of preRegistered) {
    // A state that can change is compared by its JSON as journalled, so that is made now.
    journalled.set(node, { value: undo, json: isFrozen ? undefined : undoStateJson(undo), isFrozen });
  }
  // Completed nodes waiting for their `nodes-done` record (all of one action).
  let done: string[] = [];
  let doneAction = '';
  const flushDone = (): void => {
    if (done.length === 0) return;
    journal.appendJson(nodesDoneJson(doneAction, done));
    done = [];
  };
  return {
    onUndoRegistered: ({ node, undo, iteration }) => {
      const key = keyOf(node, iteration);
      const last = journalled.get(key);
      if (last !== undefined && isUnchanged(last, undo)) {
        // Remember the newest equal object: node-done then recognises it by identity.
        if (undo !== last.value) {
          last.json = jsonOf(last);
          last.value = undo;
          last.isFrozen = false;
        }
        return undefined;
      }
      const json = undoStateJson(undo);
      journalled.set(key, { value: undo, json, isFrozen: false });
      flushDone();
      journal.appendJson(undoRegisteredJson(node.id, node.action, json, targetPath(node), iterationOf(iteration)));
      return journal.commitOrJoin();
    },
    onNodeComplete: ({ node, outcome, iteration }) => {
      const key = keyOf(node, iteration);
      const last = journalled.get(key);
      if (last !== undefined) journalled.delete(key);
      const undo = node.undo;
      const undoJson =
        undo === undefined || undo === last?.value ? undefined : changedJson(undo, last);
      if (outcome.kind === 'completed' && last !== undefined && undoJson === undefined && node.error === undefined && iteration === undefined) {
        // The common case, a step done as registered: one id in a shared record.
        if (node.action !== doneAction) {
          flushDone();
          doneAction = node.action;
        }
        done.push(node.id);
        if (done.length >= DONE_BATCH) flushDone();
        return;
      }
      flushDone();
      journal.appendJson(
        nodeDoneJson(
          node.id,
          node.action,
          outcome.kind,
          undoJson,
          node.error,
          // The target is already in the undo record when there was one.
          last === undefined ? targetPath(node) : undefined,
          iterationOf(iteration),
        ),
      );
    },
    onCompensate: ({ node, outcome, iteration }) => {
      flushDone();
      const { status, error } = compensationStatus(outcome);
      journal.appendJson(compensationDoneJson(node.id, status, error, iterationOf(iteration)));
    },
    onRunEnd: ({ state }) => {
      flushDone();
      journal.append({ kind: 'run-end', state });
      return journal.sync();
    },
  };
}

/** The iteration as the journal records it (only its flow and index). */
function iterationOf(iteration: JournalIteration | undefined): JournalIteration | undefined {
  return iteration === undefined ? undefined : { flow: iteration.flow, index: iteration.index };
}

/**
 * True when `undo` holds what was journalled last. The same object is compared by its JSON (it
 * may have been changed in place since) unless it is deep-frozen (a pre-registered prediction
 * registered as is); a different object structurally, without building its JSON: the executor
 * re-registers the state `do` returns, a fresh object that usually shares the registered one's
 * parts.
 */
function isUnchanged(last: Journalled, undo: JsonValue): boolean {
  if (undo !== last.value) return isSameJson(undo, last.value);
  return last.isFrozen || undoStateJson(undo) === jsonOf(last);
}

/** The JSON of a final undo state that differs from the last journalled one, else undefined. */
function changedJson(undo: JsonValue, last: Journalled | undefined): string | undefined {
  if (last !== undefined && isSameJson(undo, last.value)) return undefined;
  const json = undoStateJson(undo);
  return last !== undefined && json === jsonOf(last) ? undefined : json;
}

/** Structural equality of two JSON values (object key order does not matter). */
export function isSameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index += 1) {
      if (!isSameJson(a[index] as JsonValue, b[index] as JsonValue)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const value = (b as Readonly<Record<string, JsonValue>>)[key];
    if (value === undefined || !isSameJson((a as Readonly<Record<string, JsonValue>>)[key] as JsonValue, value)) return false;
  }
  return true;
}

function compensationStatus(
  outcome: Parameters<NonNullable<ExecutorHooks['onCompensate']>>[0]['outcome'],
): { status: CompensationDoneRecord['status']; error: string | undefined } {
  switch (outcome.kind) {
    case 'compensated':
      return { status: 'compensated', error: undefined };
    case 'not-compensable':
      return { status: 'not-compensable', error: outcome.message };
    case 'failed':
      return { status: 'failed', error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) };
    default:
      return outcome satisfies never;
  }
}
