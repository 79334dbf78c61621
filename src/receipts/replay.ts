import type { GraphState, JsonValue } from '../graph/index.js';
import { FREE_LINK_ACTION, freeLinkUndo } from './journal-undo-json.js';
import { nodeKey, type JournalIteration, type JournalRecord, type RunStartRecord } from './journal-records.js';

/** One node run as the journal tells it. */
export interface ReplayedNode {
  readonly key: string;
  readonly node: string;
  readonly action: string;
  readonly iteration?: JournalIteration;
  /** The latest undo state (registered or returned). */
  undo: JsonValue | undefined;
  target: string | undefined;
  /** `running` until a node-done record says otherwise. */
  status: 'running' | 'completed' | 'failed';
  error: string | undefined;
  compensation: 'compensated' | 'not-compensable' | 'failed' | undefined;
  compensationError: string | undefined;
}

/** A run rebuilt from its journal alone. */
export interface ReplayedRun {
  readonly start: RunStartRecord | undefined;
  /** Nodes in the order they first registered undo or finished (≈ start order). */
  readonly nodes: readonly ReplayedNode[];
  readonly end: GraphState | undefined;
}

type Identity = { readonly node: string; readonly action: string; readonly iteration?: JournalIteration };

/** The entry of a node run, created on first mention. */
function entryOf(nodes: Map<string, ReplayedNode>, record: Identity): ReplayedNode {
  const key = nodeKey(record);
  let found = nodes.get(key);
  if (found === undefined) {
    found = {
      key, node: record.node, action: record.action, undo: undefined, target: undefined,
      status: 'running', error: undefined, compensation: undefined, compensationError: undefined,
      ...(record.iteration === undefined ? {} : { iteration: record.iteration }),
    };
    nodes.set(key, found);
  }
  return found;
}

/** Applies one node-level record to the node entries. */
function applyNodeRecord(nodes: Map<string, ReplayedNode>, record: Exclude<JournalRecord, { kind: 'run-start' | 'run-end' }>): void {
  switch (record.kind) {
    case 'undo-registered': {
      const node = entryOf(nodes, record);
      node.undo = record.undo;
      node.target = record.target ?? node.target;
      return;
    }
    case 'links-planned': {
      for (let index = 0; index < record.nodes.length; index += 1) {
        const node = entryOf(nodes, { node: record.nodes[index] as string, action: FREE_LINK_ACTION });
        const target = record.targets[index] as string;
        node.undo = freeLinkUndo({ path: target, link_target: record.link_targets[index] as string, created_dirs: record.created_dirs[index] ?? [] });
        node.target = target;
      }
      return;
    }
    case 'nodes-done': {
      for (const id of record.nodes) {
        const node = entryOf(nodes, { node: id, action: record.action });
        node.status = 'completed';
        node.error = undefined;
      }
      return;
    }
    case 'node-done': {
      const node = entryOf(nodes, record);
      node.status = record.status;
      if (record.undo !== undefined) node.undo = record.undo;
      node.error = record.error;
      node.target = record.target ?? node.target;
      return;
    }
    case 'compensation-done': {
      const node = nodes.get(nodeKey(record));
      if (node === undefined) return; // compensation of a node that never registered anything
      node.compensation = record.status;
      node.compensationError = record.error;
      return;
    }
    default:
      record satisfies never;
  }
}

/** Folds journal records into what happened, node by node. */
export function replayJournal(records: readonly JournalRecord[]): ReplayedRun {
  let start: RunStartRecord | undefined;
  let end: GraphState | undefined;
  const nodes = new Map<string, ReplayedNode>();
  for (const record of records) {
    if (record.kind === 'run-start') start = record;
    else if (record.kind === 'run-end') end = record.state;
    else applyNodeRecord(nodes, record);
  }
  return { start, nodes: [...nodes.values()], end };
}

/** Nodes with an effect still to undo, in the order to undo them (reverse start order). */
export function pendingUndos(run: ReplayedRun): ReplayedNode[] {
  return run.nodes
    .filter((node) => node.undo !== undefined && node.undo !== null && node.compensation !== 'compensated' && node.compensation !== 'not-compensable')
    .reverse();
}
