import {
  GRAPH_STATES,
  NODE_STATUSES,
  TOOLS,
  readCanonicalScalar,
  readCanonicalString,
  type GraphState,
  type NodeStatus,
  type Tool,
} from '../graph/index.js';
import { UNDO_REPLAY_ACTION } from '../actions/index.js';
import type { ReceiptCheck } from '../receipts/index.js';
import { EVENT_WIDTH, type CompactDigest } from './compact.js';
import { KIND_BY_ACTION, TRANSFORMS, absoluteTargetOf, hasRunStatus, type ReceiptRow } from './digest.js';

/*
 * A field-extracting reader for receipts whose bytes matched their checksum (so they are
 * exactly what the canonical writer produced): it walks the lines once and keeps only what
 * `receipts view` and StateView need, without building the graph. It relies on the canonical
 * layout (two-space indents, one-line scalars, `id` first in a node, schema keys plain): at
 * indent 4 inside `nodes` only node fields appear, at 6 inside `slots` only slot names, at 8
 * only slot keys. Anything it does not expect makes it give up (undefined) and the caller
 * parses the receipt in full; package nodes always do (their versions live in annotations), and
 * so do replayed undos (the run they undid is an annotation) and lore receipts (their packages
 * are in the context).
 * Tests check it gives exactly what digesting the parsed graph gives.
 */

const STATUSES: ReadonlySet<string> = new Set(NODE_STATUSES);
const SLOT_FIELDS: ReadonlySet<string> = new Set(['path', 'source', 'content']);

/** Thrown to abandon the scan; never escapes this module. */
class GiveUp {}
const GIVE_UP = new GiveUp();

function stringOf(token: string): string {
  const value = readCanonicalString(token);
  if (value === undefined) throw GIVE_UP;
  return value;
}

/** A slot value that is a string, else undefined (like the digest's `immediateString`). */
function optionalString(token: string): string | undefined {
  const value = readCanonicalString(token);
  if (value !== undefined) return value;
  if (readCanonicalScalar(token) === undefined) throw GIVE_UP;
  return undefined;
}

function indentAt(text: string, start: number, end: number): number {
  let index = start;
  while (index < end && text.charCodeAt(index) === 32) index += 1;
  return index - start;
}

/** One node's fields, reused from node to node. */
class NodeFields {
  id = '';
  action = '';
  status = '';
  project: string | undefined;
  layer: string | undefined;
  sourceDigest: string | undefined;
  targetDigest: string | undefined;
  path: string | undefined;
  source: string | undefined;
  /** The `node_ref` of a `content` promise slot. */
  contentRef: string | undefined;

  reset(id: string): void {
    this.id = id;
    this.action = '';
    this.status = '';
    this.project = undefined;
    this.layer = undefined;
    this.sourceDigest = undefined;
    this.targetDigest = undefined;
    this.path = undefined;
    this.source = undefined;
    this.contentRef = undefined;
  }
}

class Scanner {
  tool: Tool | undefined;
  timestamp: string | undefined;
  state: GraphState | undefined;
  targetRoot: string | undefined;
  nodes = 0;
  readonly byStatus: Partial<Record<NodeStatus, number>> = {};
  // File events, as in `compactDigest`; the secret flag is filled in after the scan.
  readonly strings: string[] = [];
  readonly events: number[] = [];
  private readonly index = new Map<string, number>();
  /** Per node: id, action and content producer, to follow template chains to a secret. */
  private readonly ids: string[] = [];
  private readonly actions: string[] = [];
  private readonly contentRefs: (string | undefined)[] = [];
  /** Per event: the node it came from. */
  private readonly eventNodes: number[] = [];
  private readonly node = new NodeFields();
  private hasNode = false;

  constructor(private readonly withEvents: boolean) {}

  scan(text: string): void {
    let section = '';
    let field = '';
    let slot = '';
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const indent = indentAt(text, start, end);
      if (indent === 0) {
        section = this.topLevel(text, start, end);
      } else if (section === 'context') {
        if (indent === 2 && text.startsWith('target_root: ', start + 2)) this.targetRoot = stringOf(text.slice(start + 15, end));
      } else if (section === 'nodes') {
        if (indent === 2) {
          if (!text.startsWith('- id: ', start + 2)) throw GIVE_UP;
          this.endNode();
          this.node.reset(stringOf(text.slice(start + 8, end)));
          this.hasNode = true;
          field = '';
        } else if (indent === 4) {
          field = this.withEvents || text.startsWith('action: ', start + 4) || text.startsWith('status: ', start + 4)
            ? this.nodeField(text, start + 4, end)
            : '';
        } else if (field === 'slots' && this.withEvents) {
          if (indent === 6) {
            if (text.charCodeAt(end - 1) !== 58 || text.charCodeAt(start + 6) === 34) throw GIVE_UP;
            slot = text.slice(start + 6, end - 1);
          } else if (indent === 8 && SLOT_FIELDS.has(slot)) {
            this.slotKey(slot, text, start + 8, end);
          }
        }
      }
      start = end + 1;
    }
    this.endNode();
  }

  private topLevel(text: string, start: number, end: number): string {
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon > end) throw GIVE_UP;
    const key = text.slice(start, colon);
    const token = colon + 1 === end ? undefined : text.slice(colon + 2, end);
    if (key === 'tool') this.tool = TOOLS.find((tool) => tool === token);
    else if (key === 'timestamp' && token !== undefined) this.timestamp = stringOf(token);
    else if (key === 'state') this.state = GRAPH_STATES.find((state) => state === token);
    else if (key === 'nodes' && token !== undefined && token !== '[]') throw GIVE_UP;
    if (key === 'nodes' && this.withEvents && this.tool === 'lore') throw GIVE_UP;
    return key;
  }

  /** Reads a `key: value` node field; returns the key when its value is a block below. */
  private nodeField(text: string, at: number, end: number): string {
    const colon = text.indexOf(':', at);
    if (colon < 0 || colon > end) throw GIVE_UP;
    const key = text.slice(at, colon);
    if (colon + 1 === end) return key;
    const token = text.slice(colon + 2, end);
    const node = this.node;
    switch (key) {
      case 'action':
        node.action = stringOf(token);
        break;
      case 'status':
        if (!STATUSES.has(token)) throw GIVE_UP;
        node.status = token;
        break;
      case 'project':
        node.project = stringOf(token);
        break;
      case 'layer':
        node.layer = stringOf(token);
        break;
      case 'source_digest':
        node.sourceDigest = stringOf(token);
        break;
      case 'target_digest':
        node.targetDigest = stringOf(token);
        break;
      default:
        break;
    }
    return key;
  }

  private slotKey(slot: string, text: string, at: number, end: number): void {
    const node = this.node;
    if (text.startsWith('immediate:', at)) {
      // A block below (`immediate:` alone) is a list or map: not a string.
      const value = at + 10 === end ? undefined : optionalString(text.slice(at + 11, end));
      if (slot === 'path') node.path = value;
      else if (slot === 'source') node.source = value;
    } else if (slot === 'content' && text.startsWith('node_ref: ', at)) {
      node.contentRef = stringOf(text.slice(at + 10, end));
    }
  }

  private endNode(): void {
    if (!this.hasNode) return;
    this.hasNode = false;
    const node = this.node;
    if (node.action === '' || node.status === '') throw GIVE_UP;
    const status = node.status as NodeStatus;
    this.nodes += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (!this.withEvents) return;
    const number = this.ids.length;
    this.ids.push(node.id);
    this.actions.push(node.action);
    this.contentRefs.push(node.contentRef);
    if (node.action === UNDO_REPLAY_ACTION) throw GIVE_UP;
    if (!hasRunStatus(status) || TRANSFORMS.has(node.action)) return;
    if (node.action === 'pkg.install' || node.action === 'pkg.remove') throw GIVE_UP;
    const target = absoluteTargetOf(node.path, this.targetRoot);
    if (target === undefined) return;
    this.eventNodes.push(number);
    // Paths, sources and digests are (nearly) unique: appended, not looked up; the table may
    // then hold a string twice, which readers of a compact digest never notice.
    this.events.push(
      this.append(target), this.intern(node.action), this.intern(status), this.intern(KIND_BY_ACTION[node.action] ?? 'other'), 0,
      this.append(node.source), this.append(node.sourceDigest), this.append(node.targetDigest), this.intern(node.project), this.intern(node.layer),
    );
  }

  private append(value: string | undefined): number {
    if (value === undefined) return -1;
    return this.strings.push(value) - 1;
  }

  private intern(value: string | undefined): number {
    if (value === undefined) return -1;
    let found = this.index.get(value);
    if (found === undefined) {
      found = this.strings.length;
      this.strings.push(value);
      this.index.set(value, found);
    }
    return found;
  }

  /** Marks events fed (through templates) by a decrypted secret, as `digestReceipt` does. */
  markSecrets(): void {
    if (!this.eventNodes.some((number) => this.contentRefs[number] !== undefined)) return;
    const byId = new Map<string, number>();
    this.ids.forEach((id, number) => byId.set(id, number));
    const isFedBySecret = (number: number, depth: number): boolean => {
      const ref = this.contentRefs[number];
      if (ref === undefined || depth > 16) return false;
      const producer = byId.get(ref);
      if (producer === undefined) return false;
      return this.actions[producer] === 'secret.decrypt' || isFedBySecret(producer, depth + 1);
    };
    this.eventNodes.forEach((number, event) => {
      if (isFedBySecret(number, 0)) this.events[event * EVENT_WIDTH + 4] = 1;
    });
  }

  row(stem: string, check: ReceiptCheck): ReceiptRow {
    if (this.tool === undefined || this.timestamp === undefined || this.state === undefined) throw GIVE_UP;
    return {
      stem,
      tool: this.tool,
      timestamp: this.timestamp,
      state: this.state,
      nodes: this.nodes,
      by_status: this.byStatus,
      signed_by: check.signature.kind === 'valid' ? check.signature.keyId : null,
      ...(this.targetRoot === undefined ? {} : { target_root: this.targetRoot }),
    };
  }
}

function attempt<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

/** The `receipts view` row of a receipt's canonical text, or undefined to parse it instead. */
export function scanReceiptRow(text: string, stem: string, check: ReceiptCheck): ReceiptRow | undefined {
  return attempt(() => {
    const scanner = new Scanner(false);
    scanner.scan(text);
    return scanner.row(stem, check);
  });
}

/** The compact digest of a receipt's canonical text, or undefined to parse it instead. */
export function scanCompactDigest(text: string, stem: string, check: ReceiptCheck): CompactDigest | undefined {
  return attempt(() => {
    const scanner = new Scanner(true);
    scanner.scan(text);
    scanner.markSecrets();
    return { row: scanner.row(stem, check), strings: scanner.strings, events: scanner.events, packages: [] };
  });
}
