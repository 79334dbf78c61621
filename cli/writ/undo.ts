import path from 'node:path';
import {
  GRAPH_FORMAT_VERSION,
  WritLoreError,
  acquireRunLock,
  backupStoreFor,
  errorMessage,
  readTargetState,
  receiptStem,
  systemClock,
  type ActionContext,
  type Graph,
  type GraphState,
  type Node,
  type ReceiptStore,
  type TargetState,
} from '../../src/index.js';
import type { WritSession } from './context.js';
import { describeState } from './plan-file.js';
import { targetPath as pathOf, type UndoItem } from './deployments.js';

export type { UndoItem } from './deployments.js';

/** The target path of a node, else its id. */
export function targetPath(node: Node): string {
  return pathOf(node) ?? node.id;
}


/** How a target compares with what the run left there. */
export type UndoCheck =
  | { readonly kind: 'as-left' }
  | { readonly kind: 'already-undone' }
  | { readonly kind: 'drifted'; readonly path: string; readonly expected: string; readonly now: string };

/** What {@link undoItems} did. */
export interface UndoOutcome {
  readonly receipt: { readonly stem: string; readonly path: string };
  readonly state: GraphState;
  readonly undone: readonly string[];
  readonly failed: readonly { readonly path: string; readonly message: string }[];
}

/**
 * Whether the item's target is still what its run left there. Only file undo states are
 * understood (what writ makes); anything else is reported as drifted so nothing is guessed.
 */
export async function checkItem(item: UndoItem): Promise<UndoCheck> {
  const undo = asRecord(item.node.undo);
  const target = typeof undo['path'] === 'string' ? undo['path'] : undefined;
  if (target === undefined) return { kind: 'drifted', path: item.node.id, expected: 'a file undo state', now: 'something else' };
  const now = await readTargetState(target);
  const left = leftBehind(undo);
  if (left !== undefined && matches(now, left)) return { kind: 'as-left' };
  const prior = asRecord(undo['prior']);
  if (typeof prior['type'] === 'string' && matches(now, prior as unknown as TargetState)) return { kind: 'already-undone' };
  return { kind: 'drifted', path: target, expected: left === undefined ? 'unknown' : describeState(left), now: describeState(now) };
}

/** What the run left at the target, from its undo state. */
function leftBehind(undo: Readonly<Record<string, unknown>>): TargetState | undefined {
  switch (undo['kind']) {
    case 'place':
      return asRecord(undo['placed']) as unknown as TargetState;
    case 'adopt':
      return { type: 'symlink', link_target: String(undo['link_target']) };
    case 'displace':
      return { type: 'missing' };
    default:
      return undefined;
  }
}

/** Same type and, where recorded, the same link target or bytes (modes are not compared). */
function matches(now: TargetState, expected: TargetState): boolean {
  if (now.type !== expected.type) return false;
  if (now.type === 'symlink') return now.link_target === expected.link_target;
  if (now.type === 'file') return expected.digest === undefined || now.digest === expected.digest;
  return true;
}

/** Options of {@link undoItems}. */
export interface UndoItemsOptions {
  readonly session: WritSession;
  /** `rollback` writes a `rolled_back` receipt, `remove` an `executed` one. */
  readonly operation: 'rollback' | 'remove';
  /** The context of the receipt written (the undone run's). */
  readonly context: Graph['context'];
  /** Items already undone by hand, recorded as skipped. */
  readonly alreadyUndone?: ReadonlySet<UndoItem>;
  /** Drifted items to undo anyway (`--force`): what is there now is moved to this run's backups first. */
  readonly displace?: ReadonlySet<UndoItem>;
  readonly onNote?: (message: string) => void;
}

/**
 * Undoes `items` newest first under the run lock, each from its own run's backups, and writes
 * a receipt recording every undone node as `compensated` (so status and later plans know the
 * path is no longer ours). An undo that fails is recorded `failed` with its undo state kept.
 */
export async function undoItems(items: readonly UndoItem[], options: UndoItemsOptions): Promise<UndoOutcome> {
  const { store } = options.session;
  const lock = await acquireRunLock(store.layout.lock, { tool: 'writ', ...(options.onNote === undefined ? {} : { onNote: options.onNote }) });
  try {
    await refuseInterrupted(store);
    const now = systemClock.now().toISOString();
    const stem = receiptStem('writ', now);
    const { nodes, undone, failed } = await undoEach(items, options, stem);
    const state: GraphState = failed.length > 0 ? 'interrupted' : options.operation === 'rollback' ? 'rolled_back' : 'executed';
    const settings = { ...(options.context.settings ?? {}), operation: options.operation, undo_of: [...new Set(items.map((i) => i.stem))].join(',') };
    const graph: Graph = {
      version: GRAPH_FORMAT_VERSION,
      tool: 'writ',
      timestamp: now,
      state,
      platform: { os: process.platform, arch: process.arch },
      context: { ...options.context, settings },
      nodes,
      edges: [],
    };
    const written = await store.write(graph, { stem });
    return { receipt: { stem: written.stem, path: written.path }, state, undone, failed };
  } finally {
    await lock.release();
  }
}

/** Undoes each item newest first; a failure is recorded and the others still run. */
async function undoEach(items: readonly UndoItem[], options: UndoItemsOptions, stem: string) {
  const { store, registry } = options.session;
  const nodes: Node[] = [];
  const undone: string[] = [];
  const failed: { path: string; message: string }[] = [];
  for (const item of newestFirst(items)) {
    const target = targetPath(item.node);
    if (options.alreadyUndone?.has(item) === true) {
      nodes.push(recorded(item, 'skipped', 'already undone on disk'));
      continue;
    }
    try {
      const displaced = options.displace?.has(item) === true ? await backupStoreFor(store.layout, stem).save(target) : undefined;
      await registry.get(item.node.action).undo?.(undoContext(item, store), item.node.undo ?? null);
      undone.push(target);
      nodes.push(recorded(item, 'compensated', undefined, displaced?.id));
    } catch (error) {
      failed.push({ path: target, message: errorMessage(error) });
      nodes.push(recorded(item, 'failed', errorMessage(error)));
    }
  }
  return { nodes, undone, failed };
}

function undoContext(item: UndoItem, store: ReceiptStore): ActionContext {
  return {
    nodeId: item.node.id,
    signal: new AbortController().signal,
    clock: systemClock,
    data: {},
    log: { info: () => undefined, warn: () => undefined },
    backups: backupStoreFor(store.layout, item.stem),
    // An undo registers nothing new.
    registerUndo: () => Promise.resolve(),
  };
}

function recorded(item: UndoItem, status: Node['status'], error?: string, displacedTo?: string): Node {
  const { started_at: _started, finished_at: _finished, undo, error: _error, ...rest } = item.node;
  const moved = displacedTo === undefined ? {} : { 'writ.displaced_to': displacedTo };
  return {
    ...rest,
    status,
    annotations: { ...(item.node.annotations ?? {}), 'writ.undo_of': item.stem, ...moved },
    finished_at: systemClock.now().toISOString(),
    ...(error === undefined ? {} : { error }),
    // Kept while something is left to undo, so the receipt alone can finish the job.
    ...(status === 'failed' && undo !== undefined ? { undo } : {}),
  };
}

/** Newest receipt first; within one, reverse start order (the saga's unwinding order). */
function newestFirst(items: readonly UndoItem[]): UndoItem[] {
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    if (a.item.stem !== b.item.stem) return a.item.stem < b.item.stem ? 1 : -1;
    const started = (b.item.node.started_at ?? '').localeCompare(a.item.node.started_at ?? '');
    return started !== 0 ? started : b.index - a.index;
  });
  return indexed.map(({ item }) => item);
}

async function refuseInterrupted(store: ReceiptStore): Promise<void> {
  const [journal] = await store.journals();
  if (journal === undefined) return;
  throw new WritLoreError('locked', `an interrupted run (${path.basename(journal)}) has not been recovered; nothing was changed`, {
    path: journal,
    hint: "run 'writ recover' first",
  });
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
