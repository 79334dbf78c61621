import {
  detectDrift,
  deployedKind,
  isSecret,
  lastEffective,
  type DriftStatus,
  type FileEntry,
  type FileTreeNode,
  type StateView,
} from '../../src/index.js';
import type { Output } from '../output.js';
import { formatCount } from '../plural.js';
import { JSON_FORMAT_VERSION } from './common.js';

/** Prints the deployed tree like `tree(1)`, marking links, copies, secrets and drift. */
export function printTree(out: Output, view: StateView): void {
  const tree = view.deployed();
  const drift = new Map<string, DriftStatus>(tree.entries.map((entry) => [entry.path, detectDrift(entry)]));
  if (out.isJson) {
    out.json({
      version: JSON_FORMAT_VERSION,
      root: tree.root.path,
      entries: tree.entries.map((entry) => jsonEntry(entry, drift.get(entry.path))),
      problems: view.problems,
    });
    return;
  }
  if (tree.entries.length === 0) {
    out.line('nothing is deployed according to the receipts', true);
    return;
  }
  out.line(out.paint('bold', tree.root.path), true);
  for (const line of renderChildren(out, tree.root, '', drift)) out.line(line, true);
  const drifted = [...drift.values()].filter((status) => status.kind === 'changed' || status.kind === 'missing').length;
  const summary = view.summary();
  out.line('');
  const counts = [
    formatCount(summary.links, 'link'),
    formatCount(summary.copies, 'copy', 'copies'),
    formatCount(summary.directories, 'directory', 'directories'),
    formatCount(summary.secrets, 'secret'),
  ];
  out.line(`${counts.join(', ')}, ${drifted} drifted`);
}

function renderChildren(out: Output, node: FileTreeNode, prefix: string, drift: ReadonlyMap<string, DriftStatus>): string[] {
  const children = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines: string[] = [];
  children.forEach((child, index) => {
    const isLast = index === children.length - 1;
    lines.push(`${prefix}${isLast ? '└── ' : '├── '}${label(out, child, drift)}`);
    lines.push(...renderChildren(out, child, `${prefix}${isLast ? '    ' : '│   '}`, drift));
  });
  return lines;
}

function label(out: Output, node: FileTreeNode, drift: ReadonlyMap<string, DriftStatus>): string {
  const entry = node.entry;
  if (entry === undefined) return node.children.size > 0 ? out.paint('cyan', node.name) : node.name;
  const record = lastEffective(entry);
  const parts: string[] = [];
  switch (deployedKind(entry)) {
    case 'link':
      parts.push(`${out.paint('cyan', node.name)} -> ${record?.source ?? '?'}`);
      break;
    case 'copy':
    case 'write':
      parts.push(`${node.name} ${out.paint('dim', '[copy]')}`);
      break;
    case 'directory':
      parts.push(`${out.paint('cyan', node.name)}/`);
      break;
    default:
      parts.push(node.name);
  }
  if (isSecret(entry)) parts.push(out.paint('magenta', '[secret]'));
  const status = drift.get(entry.path);
  if (status?.kind === 'missing') parts.push(out.paint('red', '[missing]'));
  if (status?.kind === 'changed') parts.push(out.paint('red', `[drifted: ${status.detail}]`));
  return parts.join(' ');
}

function jsonEntry(entry: FileEntry, drift: DriftStatus | undefined): Record<string, unknown> {
  const record = lastEffective(entry);
  return {
    path: entry.path,
    kind: deployedKind(entry),
    source: record?.source ?? null,
    target_digest: record?.target_digest ?? null,
    secret: isSecret(entry),
    project: record?.project ?? null,
    layer: record?.layer ?? null,
    receipt: record?.receipt ?? null,
    drift: drift?.kind ?? 'unknown',
  };
}
