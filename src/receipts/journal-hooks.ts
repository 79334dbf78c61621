import type { ExecutorHooks } from '../executor/index.js';
import type { JsonValue, Node } from '../graph/index.js';
import type { Journal } from './journal.js';
import { nodeKey, type CompensationDoneRecord, type JournalIteration } from './journal-records.js';

/** The target path a node writes, when its `path` slot is an immediate string. */
export function targetOf(node: Node): { target?: string } {
  const slot = node.slots['path'];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? { target: slot.value } : {};
}

function iterationOf(iteration: JournalIteration | undefined): { iteration?: JournalIteration } {
  return iteration === undefined ? {} : { iteration: { flow: iteration.flow, index: iteration.index } };
}

/** The last undo state journalled for a node run, as value and JSON. */
interface Journalled {
  readonly value: JsonValue;
  readonly json: string;
}

/**
 * The executor hooks that feed a run's journal. Undo registrations are made durable (fsync)
 * before the hook returns, which is before the action's destructive step; node and compensation
 * records are group-committed with the next sync. Registering the same undo state again (the
 * executor re-registers what `do` returns) adds nothing to recover from and costs no record,
 * and a node-done record repeats the undo state only when it changed.
 */
export function journalHooks(journal: Journal): ExecutorHooks {
  const journalled = new Map<string, Journalled>();
  return {
    onUndoRegistered: async ({ node, undo, iteration }) => {
      const key = nodeKey({ node: node.id, ...iterationOf(iteration) });
      const json = JSON.stringify(undo);
      if (journalled.get(key)?.json === json) return;
      journalled.set(key, { value: undo, json });
      journal.appendJson(undoRecordJson(node, json, iteration));
      await journal.sync();
    },
    onNodeComplete: ({ node, outcome, iteration }) => {
      const key = nodeKey({ node: node.id, ...iterationOf(iteration) });
      const last = journalled.get(key);
      journalled.delete(key);
      const isKnown = node.undo === undefined || node.undo === last?.value || JSON.stringify(node.undo) === last?.json;
      journal.append({
        kind: 'node-done',
        node: node.id,
        action: node.action,
        status: outcome.kind,
        ...(isKnown || node.undo === undefined ? {} : { undo: node.undo }),
        ...(node.error === undefined ? {} : { error: node.error }),
        // The target is already in the undo record when there was one.
        ...(last === undefined ? targetOf(node) : {}),
        ...iterationOf(iteration),
      });
    },
    onCompensate: ({ node, outcome, iteration }) => {
      const record: CompensationDoneRecord = {
        kind: 'compensation-done',
        node: node.id,
        ...compensationStatus(outcome),
        ...iterationOf(iteration),
      };
      journal.append(record);
    },
    onRunEnd: async ({ state }) => {
      journal.append({ kind: 'run-end', state });
      await journal.sync();
    },
  };
}

/** An undo-registered record as JSON, around an undo state already stringified. */
function undoRecordJson(node: Node, undoJson: string, iteration: JournalIteration | undefined): string {
  const head = JSON.stringify({ kind: 'undo-registered', node: node.id, action: node.action });
  const tail = JSON.stringify({ ...targetOf(node), ...iterationOf(iteration) });
  return `${head.slice(0, -1)},"undo":${undoJson}${tail === '{}' ? '}' : `,${tail.slice(1)}`}`;
}

function compensationStatus(
  outcome: Parameters<NonNullable<ExecutorHooks['onCompensate']>>[0]['outcome'],
): Pick<CompensationDoneRecord, 'status' | 'error'> {
  switch (outcome.kind) {
    case 'compensated':
      return { status: 'compensated' };
    case 'not-compensable':
      return { status: 'not-compensable', error: outcome.message };
    case 'failed':
      return { status: 'failed', error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) };
    default:
      return outcome satisfies never;
  }
}
