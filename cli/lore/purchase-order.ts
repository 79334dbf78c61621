import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ActionRegistry, Graph, Node } from '../../src/index.js';
import type { Output } from '../output.js';
import { formatCount } from '../plural.js';
import { formatBytes } from '../receipts/common.js';

/** One step of the purchase order. */
export interface OrderStep {
  readonly id: string;
  readonly action: string;
  /** What it acts on (its written path, or the first string slot). */
  readonly target: string;
}

/** One download of the purchase order; `size` only when the server (or disk) says. */
export interface OrderDownload {
  readonly url: string;
  readonly path: string;
  readonly size?: number;
}

/** What a dry run shows: phases and steps per package, downloads, paths to be created. */
export interface PurchaseOrder {
  readonly prefix: string;
  readonly phases: readonly { readonly id: string; readonly retry?: string; readonly steps: readonly OrderStep[] }[];
  readonly downloads: readonly OrderDownload[];
  readonly creates: readonly string[];
}

/** Builds the purchase order of a plan (HEAD requests for download sizes; nothing is written). */
export async function purchaseOrder(graph: Graph, prefix: string, actions: ActionRegistry): Promise<PurchaseOrder> {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const phases = (graph.phases ?? [])
    .filter((phase) => phase.role !== 'compensation')
    .map((phase) => ({
      id: phase.id,
      ...(phase.retry === undefined ? {} : { retry: `${formatCount(phase.retry.max_attempts, 'attempt')}, ${phase.retry.backoff}` }),
      steps: phase.nodes.map((id) => byId.get(id)).filter((node): node is Node => node !== undefined).map((node) => step(node, actions)),
    }));
  const downloads = await Promise.all(graph.nodes.filter((node) => node.action === 'net.download').map(describeDownload));
  return { prefix, phases, downloads, creates: createdPaths(graph, actions) };
}

function step(node: Node, actions: ActionRegistry): OrderStep {
  const written = writtenPaths(node, actions)[0];
  const first = Object.values(node.slots).find((slot) => slot.kind === 'immediate' && typeof slot.value === 'string');
  const argv = immediate(node, 'argv');
  const target = written ?? (Array.isArray(argv) ? argv.join(' ') : first?.kind === 'immediate' ? String(first.value) : '');
  return { id: node.id, action: node.action, target };
}

function immediate(node: Node, name: string): unknown {
  const slot = node.slots[name];
  return slot?.kind === 'immediate' ? slot.value : undefined;
}

function writtenPaths(node: Node, actions: ActionRegistry): string[] {
  const spec = actions.spec(node.action);
  const paths = (spec?.writes ?? []).map((name) => immediate(node, name)).filter((value): value is string => typeof value === 'string');
  const creates = immediate(node, 'creates');
  if (Array.isArray(creates)) paths.push(...creates.filter((value): value is string => typeof value === 'string'));
  return paths;
}

/** Written paths, sorted; an extraction's destination says its contents come with it. */
function createdPaths(graph: Graph, actions: ActionRegistry): string[] {
  const paths = graph.nodes.flatMap((node) =>
    writtenPaths(node, actions).map((written) => (node.action === 'archive.extract' ? `${written}/ (the archive's contents)` : written)),
  );
  return [...new Set(paths)].sort();
}

async function describeDownload(node: Node): Promise<OrderDownload> {
  const url = String(immediate(node, 'url') ?? '');
  const path = String(immediate(node, 'path') ?? '');
  const size = await sizeOf(url);
  return { url, path, ...(size === undefined ? {} : { size }) };
}

/** Content-Length from a HEAD request, or the local file's size; undefined when unknown. */
async function sizeOf(url: string): Promise<number | undefined> {
  try {
    if (/^https?:\/\//i.test(url)) {
      const response = await fetch(url, { method: 'HEAD', redirect: 'follow' });
      const length = response.headers.get('content-length');
      return response.ok && length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    }
    return (await stat(url.startsWith('file:') ? fileURLToPath(url) : url)).size;
  } catch {
    // The size is a courtesy: an unreachable server or a missing file shows no size; the run
    // itself would fail on it and say why.
    return undefined;
  }
}

/** Prints the purchase order. */
export function printPurchaseOrder(out: Output, order: PurchaseOrder): void {
  out.line();
  out.line(out.paint('bold', `Purchase order (prefix ${order.prefix})`));
  for (const phase of order.phases) {
    out.line(`  ${phase.id}${phase.retry === undefined ? '' : `  (retry: ${phase.retry})`}`);
    for (const item of phase.steps) out.line(`    ${item.action.padEnd(16)} ${item.target}`);
  }
  if (order.downloads.length > 0) {
    out.line();
    out.line(out.paint('bold', 'Downloads'));
    for (const download of order.downloads) {
      out.line(`  ${download.url}${download.size === undefined ? '' : `  (${formatBytes(download.size)})`}`);
    }
  }
  out.line();
  out.line(out.paint('bold', 'Will create'));
  for (const path of order.creates) out.line(`  ${path}`);
  out.line();
  out.line('dry run: nothing was changed');
}
