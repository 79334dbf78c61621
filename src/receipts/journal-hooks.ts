import type { ExecutorHooks } from '../executor/index.js';
import type { JsonValue, Node } from '../graph/index.js';
import type { Journal } from './journal.js';
import { undoStateJson } from './journal-undo-json.js';
import {
  compensationDoneJson,
  nodeDoneJson,
  nodeKey,
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

/** The last undo state journalled for a node run: the latest equal object, and its JSON. */
interface Journalled {
  value: JsonValue;
  readonly json: string;
}

/**
 * The executor hooks that feed a run's journal. An undo registration is committed (written and
 * fdatasynced, group-committed with registrations of other running nodes when the journal
 * batches) before the hook's promise resolves, which is before the action's destructive step.
 * Node and compensation records are only buffered: they reach the file with the next commit.
 * Losing them in a crash is safe: recovery then undoes a node that had finished (its
 * registration was durable before it acted, and undo is idempotent) or undoes again one that
 * was already compensated. Registering the same undo state again (the executor re-registers
 * what `do` returns) adds nothing to recover from and costs no record, and a node-done record
 * repeats the undo state only when it changed.
 */
export function journalHooks(journal: Journal): ExecutorHooks {
  const journalled = new Map<string, Journalled>();
  return {
    onUndoRegistered: ({ node, undo, iteration }) => {
      const key = keyOf(node, iteration);
      const last = journalled.get(key);
      if (last !== undefined && isUnchanged(last, undo)) {
        // Remember the newest equal object: node-done then recognises it by identity.
        last.value = undo;
        return undefined;
      }
      const json = undoStateJson(undo);
      journalled.set(key, { value: undo, json });
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
      const { status, error } = compensationStatus(outcome);
      journal.appendJson(compensationDoneJson(node.id, status, error, iterationOf(iteration)));
    },
    onRunEnd: ({ state }) => {
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
 * may have been changed in place since); a different object structurally, without building
 * its JSON: the executor re-registers the state `do` returns, a fresh object that usually
 * shares the registered one's parts.
 */
function isUnchanged(last: Journalled, undo: JsonValue): boolean {
  return undo === last.value ? undoStateJson(undo) === last.json : isSameJson(undo, last.value);
}

/** The JSON of a final undo state that differs from the last journalled one, else undefined. */
function changedJson(undo: JsonValue, last: Journalled | undefined): string | undefined {
  if (last !== undefined && isSameJson(undo, last.value)) return undefined;
  const json = undoStateJson(undo);
  return json === last?.json ? undefined : json;
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
