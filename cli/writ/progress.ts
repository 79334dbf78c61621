import { backupRefsIn, type ExecutorHooks, type Graph, type Node, type RunReport } from '../../src/index.js';
import type { Output } from '../output.js';
import { displayTarget } from './purchase-order.js';

/**
 * Progress hooks: on a TTY one line on stderr rewritten in place (`[12/40] ~/.bashrc`); otherwise
 * a plain line per node that changed something. Nothing at all under `--quiet` or `--json`.
 */
export function progressHooks(out: Output, graph: Graph): ExecutorHooks & { end(): void } {
  const total = graph.nodes.length;
  const root = graph.context.target_root;
  const isSilent = out.options.quiet === true || out.isJson;
  const isLive = out.streams.stderr.isTTY === true;
  let done = 0;
  let drawn = false;
  return {
    onNodeComplete: ({ node, outcome }) => {
      done += 1;
      if (isSilent) return;
      const where = displayTarget(targetOf(node) ?? node.id, root);
      if (isLive) {
        out.streams.stderr.write(`\r\u001b[2K[${done}/${total}] ${where}`);
        drawn = true;
      } else if (outcome.kind === 'failed') {
        out.note(`failed   ${where}`);
      } else if (node.undo !== undefined && node.action.startsWith('file.')) {
        out.note(`${verbOf(node).padEnd(8)} ${where}`);
      }
    },
    onCompensate: ({ node }) => {
      if (isSilent) return;
      const where = displayTarget(targetOf(node) ?? node.id, root);
      if (isLive) {
        out.streams.stderr.write(`\r\u001b[2Kundo ${where}`);
        drawn = true;
      } else if (node.action.startsWith('file.')) out.note(`undone   ${where}`);
    },
    end: () => {
      if (drawn) out.streams.stderr.write('\r\u001b[2K');
    },
  };
}

function verbOf(node: Node): string {
  return node.action === 'file.link' ? 'linked' : node.action === 'file.copy' ? 'copied' : 'done';
}

/** The target path of a node (its immediate `path` slot). */
export function targetOf(node: Node): string | undefined {
  const slot = node.slots['path'];
  return slot?.kind === 'immediate' && typeof slot.value === 'string' ? slot.value : undefined;
}

/** What a finished run did, counted for the summary line. */
export interface RunCounts {
  readonly linked: number;
  readonly copied: number;
  readonly backedUp: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly failed: number;
  readonly compensated: number;
}

/** Counts a run's file effects from its receipt graph. */
export function countRun(graph: Graph): RunCounts {
  const counts = { linked: 0, copied: 0, backedUp: 0, unchanged: 0, skipped: 0, failed: 0, compensated: 0 };
  for (const node of graph.nodes) {
    const isWriting = node.action === 'file.link' || node.action === 'file.copy';
    if (node.status === 'skipped') counts.skipped += isWriting ? 1 : 0;
    if (node.status === 'failed') counts.failed += 1;
    if (node.status === 'compensated') counts.compensated += 1;
    if (node.status !== 'completed' || !isWriting) continue;
    if (node.undo === undefined) counts.unchanged += 1;
    else if (node.action === 'file.link') counts.linked += 1;
    else counts.copied += 1;
    if (backupRefsIn(node.undo).length > 0) counts.backedUp += 1;
  }
  return counts;
}

/** `12 linked, 2 copied, 1 backed up, 3 unchanged in 0.4 s — receipt writ-….yaml`. */
export function summaryLine(report: RunReport, receiptFile: string, seconds: number): string {
  const counts = countRun(report.graph);
  const parts = [`${counts.linked} linked`, `${counts.copied} copied`];
  if (counts.backedUp > 0) parts.push(`${counts.backedUp} backed up`);
  if (counts.unchanged > 0) parts.push(`${counts.unchanged} unchanged`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  return `${parts.join(', ')} in ${seconds.toFixed(seconds < 0.1 ? 2 : 1)} s — receipt ${receiptFile}`;
}
