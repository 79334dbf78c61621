import path from 'node:path';
import { UNDO_REPLAY_ACTION } from '../actions/index.js';
import type { Graph, GraphState, JsonValue, Node, NodeStatus, Slot, Tool } from '../graph/index.js';
import { operationOf, splitRef } from '../plan/index.js';
import type { DeriveSpec, ReceiptCheck } from '../receipts/index.js';
import { scanReceiptRow } from './scan.js';

/** What kind of thing a file action left at its target. */
export const FILE_KINDS = ['link', 'copy', 'write', 'directory', 'removal', 'other'] as const;
/** One of {@link FILE_KINDS}. */
export type FileKind = (typeof FILE_KINDS)[number];

/** One node of a receipt that touched a file, compacted for caching. */
export interface FileEvent {
  readonly path: string;
  readonly action: string;
  readonly status: NodeStatus;
  readonly kind: FileKind;
  readonly isSecret: boolean;
  readonly source?: string;
  readonly source_digest?: string;
  readonly target_digest?: string;
  readonly project?: string;
  readonly layer?: string;
  /** On a replayed undo (`receipt.undo`): the stem of the run whose effect it undid, when recorded. */
  readonly undoes?: string;
}

/** What happened to a package: `upgrade` is an install over another version in the same place. */
export type PackageAction = 'install' | 'upgrade' | 'remove';

/** One package named by a package node of a receipt, or by a lore receipt's context. */
export interface PackageEvent {
  readonly name: string;
  readonly action: PackageAction;
  readonly status: NodeStatus;
  readonly manager?: string;
  readonly version?: string;
  /** Where lore installed it (lore receipts only). */
  readonly prefix?: string;
}

/** The row a receipt contributes to `receipts view`. */
export interface ReceiptRow {
  readonly stem: string;
  readonly tool: Tool;
  readonly timestamp: string;
  readonly state: GraphState;
  readonly nodes: number;
  readonly by_status: Readonly<Partial<Record<NodeStatus, number>>>;
  /** The key id of a valid signature, or null when unsigned. */
  readonly signed_by: string | null;
  readonly target_root?: string;
}

/** Everything StateView needs from one receipt. */
export interface ReceiptDigest {
  readonly row: ReceiptRow;
  readonly files: readonly FileEvent[];
  readonly packages: readonly PackageEvent[];
}

/** Transform actions: they produce bytes for other nodes and never touch a target themselves. */
export const TRANSFORMS: ReadonlySet<string> = new Set(['template.render', 'secret.decrypt']);
/** What each file action leaves at its target (anything else is `other`). */
export const KIND_BY_ACTION: Readonly<Record<string, FileKind>> = {
  'file.link': 'link',
  'file.copy': 'copy',
  'file.write': 'write',
  'net.download': 'copy',
  'file.mkdir': 'directory',
  'archive.extract': 'directory',
  'file.remove': 'removal',
  'file.unlink': 'removal',
  [UNDO_REPLAY_ACTION]: 'removal',
};

/** Annotations naming, on a replayed undo, the run whose node it undid (writ's, then the default). */
const UNDO_OF_ANNOTATIONS = ['writ.undo_of', 'receipt.undo_of'] as const;

function immediateString(slot: Slot | undefined): string | undefined {
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

function absoluteTarget(node: Node, root: string | undefined): string | undefined {
  return absoluteTargetOf(immediateString(node.slots['path']), root);
}

/** True when `path.normalize` would return this absolute path unchanged (checked cheaply). */
function isNormal(target: string): boolean {
  return !target.includes('//') && !target.includes('/./') && !target.includes('/../') && !target.endsWith('/.') && !target.endsWith('/..');
}

/** A node's `path` slot as an absolute path (relative ones are under the target root). */
export function absoluteTargetOf(target: string | undefined, root: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  if (path.isAbsolute(target)) return isNormal(target) ? target : path.normalize(target);
  return root === undefined ? undefined : path.join(root, target);
}

/** True when a node's content comes (through templates) from a decrypted secret. */
function isFedBySecret(node: Node, byId: ReadonlyMap<string, Node>, depth = 0): boolean {
  const content = node.slots['content'];
  if (content?.kind !== 'promise' || depth > 16) return false;
  const producer = byId.get(content.node);
  if (producer === undefined) return false;
  return producer.action === 'secret.decrypt' || isFedBySecret(producer, byId, depth + 1);
}

function fileEvent(node: Node, target: string, byId: ReadonlyMap<string, Node>): FileEvent {
  const source = immediateString(node.slots['source']);
  const undoes = node.action === UNDO_REPLAY_ACTION ? undoneRun(node) : undefined;
  return {
    path: target,
    action: node.action,
    status: node.status,
    kind: KIND_BY_ACTION[node.action] ?? 'other',
    isSecret: isFedBySecret(node, byId),
    ...(source === undefined ? {} : { source }),
    ...(node.source_digest === undefined ? {} : { source_digest: node.source_digest }),
    ...(node.target_digest === undefined ? {} : { target_digest: node.target_digest }),
    ...(node.project === undefined ? {} : { project: node.project }),
    ...(node.layer === undefined ? {} : { layer: node.layer }),
    ...(undoes === undefined ? {} : { undoes }),
  };
}

/** The run a replayed undo undid: its undo-of annotation, else the run whose backups it used. */
function undoneRun(node: Node): string | undefined {
  for (const key of UNDO_OF_ANNOTATIONS) {
    const stem = node.annotations?.[key];
    if (stem !== undefined) return stem;
  }
  return immediateString(node.slots['backups']);
}

/** The path a replayed undo gave back: its `path` slot, else the `path` of the undo state it replayed. */
function undoneTarget(node: Node, root: string | undefined): string | undefined {
  const given = immediateString(node.slots['path']);
  if (given !== undefined) return absoluteTargetOf(given, root);
  const undo = node.slots['undo'];
  const state: JsonValue | undefined = undo?.kind === 'immediate' ? undo.value : undefined;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return undefined;
  const recorded = (state as Readonly<Record<string, JsonValue>>)['path'];
  return absoluteTargetOf(typeof recorded === 'string' ? recorded : undefined, root);
}

/**
 * The packages a lore run installed or removed (`context.packages`, `name@version`), with the
 * status of each: `completed` when the run was executed, else `failed` when one of its nodes
 * failed, `compensated` when its effects were rolled back, `skipped` when it never started.
 */
function lorePackageEvents(graph: Graph): PackageEvent[] {
  const refs = (graph.context.packages ?? []).map(splitRef).filter((ref) => ref.version !== '');
  const action = operationOf(graph);
  const prefix = graph.context.prefix;
  return refs.map(({ name, version }) => ({
    name,
    action,
    status: graph.state === 'executed' ? 'completed' : lorePackageStatus(graph, name),
    version,
    ...(prefix === undefined ? {} : { prefix }),
  }));
}

function lorePackageStatus(graph: Graph, name: string): NodeStatus {
  const statuses = new Set(graph.nodes.filter((node) => node.annotations?.['lore.package'] === name).map((node) => node.status));
  if (statuses.has('failed')) return 'failed';
  if (statuses.has('compensated') || statuses.has('completed') || statuses.has('running')) return 'compensated';
  return 'skipped';
}

function packageEvents(node: Node): PackageEvent[] {
  const slot = node.slots['packages'];
  if (slot?.kind !== 'immediate' || !Array.isArray(slot.value)) return [];
  const manager = immediateString(node.slots['manager']);
  const names = slot.value.filter((value): value is string => typeof value === 'string');
  return names.map((name) => {
    // Versions come from annotations: `version.<name>`, or `version` for a one-package node.
    const version = node.annotations?.[`version.${name}`] ?? (names.length === 1 ? node.annotations?.['version'] : undefined);
    return {
      name,
      action: node.action === 'pkg.remove' ? 'remove' : 'install',
      status: node.status,
      ...(manager === undefined ? {} : { manager }),
      ...(version === undefined ? {} : { version }),
    };
  });
}

function hasRun(node: Node): boolean {
  return hasRunStatus(node.status);
}

/** Whether a node with this status ran (it was neither skipped nor left pending). */
export function hasRunStatus(status: NodeStatus): boolean {
  return status !== 'skipped' && status !== 'pending';
}

/** Extracts a receipt's row, file events and package events. */
export function digestReceipt(graph: Graph, stem: string, check: ReceiptCheck): ReceiptDigest {
  const root = graph.context.target_root;
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const files: FileEvent[] = [];
  const packages: PackageEvent[] = graph.tool === 'lore' ? lorePackageEvents(graph) : [];
  const byStatus: Partial<Record<NodeStatus, number>> = {};
  for (const node of graph.nodes) {
    byStatus[node.status] = (byStatus[node.status] ?? 0) + 1;
    if (node.action === UNDO_REPLAY_ACTION) {
      // Skipped replays count too: they were skipped because the effect was already gone.
      const target = hasRun(node) || node.status === 'skipped' ? undoneTarget(node, root) : undefined;
      if (target !== undefined) files.push(fileEvent(node, target, byId));
      continue;
    }
    if (!hasRun(node) || TRANSFORMS.has(node.action)) continue;
    if (node.action === 'pkg.install' || node.action === 'pkg.remove') {
      packages.push(...packageEvents(node));
      continue;
    }
    const target = absoluteTarget(node, root);
    if (target !== undefined) files.push(fileEvent(node, target, byId));
  }
  return { row: rowOf(graph, stem, check, byStatus), files, packages };
}

function rowOf(graph: Graph, stem: string, check: ReceiptCheck, counted?: Partial<Record<NodeStatus, number>>): ReceiptRow {
  let byStatus = counted;
  if (byStatus === undefined) {
    byStatus = {};
    for (const node of graph.nodes) byStatus[node.status] = (byStatus[node.status] ?? 0) + 1;
  }
  const root = graph.context.target_root;
  return {
    stem,
    tool: graph.tool,
    timestamp: graph.timestamp,
    state: graph.state,
    nodes: graph.nodes.length,
    by_status: byStatus,
    signed_by: check.signature.kind === 'valid' ? check.signature.keyId : null,
    ...(root === undefined ? {} : { target_root: root }),
  };
}

/** The cached derivation of a receipt's row alone (what `receipts view` lists). */
export function receiptRowSpec(stem: string): DeriveSpec<ReceiptRow> {
  return {
    name: 'stateview-row',
    version: 1,
    derive: (graph, check) => rowOf(graph, stem, check),
    scan: (text, check) => scanReceiptRow(text, stem, check),
  };
}
