import { WritLoreError, graphToJson, writeGraphYaml, type Graph, type ReceiptStore } from '../../src/index.js';
import type { CommandContext, Handler } from '../program.js';
import type { Output } from '../output.js';
import { EXIT } from '../exit-codes.js';
import { openStore, paintState, shortTime, type StoreOptions } from './common.js';

/** Options of `receipts show`. */
export interface ShowOptions extends StoreOptions {
  readonly yaml?: boolean;
}

/** Resolves `latest`, `latest-writ`/`latest-lore`, or a name to a receipt stem. */
export async function resolveName(store: ReceiptStore, name: string): Promise<string> {
  const match = /^latest(?:-(writ|lore))?$/.exec(name);
  if (match === null) return name;
  const tool = match[1] === 'writ' || match[1] === 'lore' ? match[1] : undefined;
  const latest = await store.latest(tool);
  if (latest === undefined) {
    const which = tool === undefined ? 'receipts' : `${tool} receipts`;
    throw new WritLoreError('not-found', `there are no ${which} in ${store.layout.receipts}`, {
      hint: 'a receipt is written by every writ and lore run',
    });
  }
  return latest.stem;
}

/** `receipts show NAME|latest`: one verified receipt, summarised, or as YAML/JSON. */
export const handler: Handler<ShowOptions> = async (ctx: CommandContext<ShowOptions>) => {
  const { out, options } = ctx;
  const name = ctx.args[0];
  if (name === undefined) throw new WritLoreError('invalid-input', 'name a receipt, or use "latest"');
  if (options.yaml === true && out.isJson) throw new WritLoreError('invalid-input', '--yaml and --json cannot be combined');
  const store = openStore(ctx);
  const stem = await resolveName(store, name);
  const graph = await store.load(stem);
  if (out.isJson) ctx.streams.stdout.write(`${graphToJson(graph)}\n`);
  else if (options.yaml === true) ctx.streams.stdout.write(writeGraphYaml(graph));
  else printSummary(out, stem, graph);
  return EXIT.ok;
};

function printSummary(out: Output, stem: string, graph: Graph): void {
  const counts = new Map<string, number>();
  for (const node of graph.nodes) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  const rows: [string, string][] = [
    ['receipt', stem],
    ['tool', graph.tool],
    ['time', `${shortTime(graph.timestamp)} UTC`],
    ['state', paintState(out, graph.state)],
    ['signature', graph.signature === undefined ? out.paint('dim', 'unsigned') : `valid, ${graph.signature.key_id}`],
    ['checksum', graph.checksum ?? '-'],
    ['platform', `${graph.platform.os}/${graph.platform.arch}`],
    ['nodes', [...counts].map(([status, count]) => `${count} ${status}`).join(', ') || '0'],
  ];
  if (graph.context.target_root !== undefined) rows.push(['target', graph.context.target_root]);
  if (graph.phases !== undefined) rows.push(['phases', graph.phases.map((phase) => `${phase.name} (${phase.status})`).join(', ')]);
  const width = Math.max(...rows.map(([key]) => key.length));
  for (const [key, value] of rows) out.line(`${key.padEnd(width)}  ${value}`, true);
  const failures = graph.nodes.filter((node) => node.error !== undefined);
  if (failures.length > 0) {
    out.line('');
    out.line(out.paint('bold', 'errors:'));
    for (const node of failures) out.line(`  ${node.id} (${node.action}, ${node.status}): ${node.error ?? ''}`);
  }
  for (const entry of graph.rollback ?? []) {
    out.line(`rollback ${entry.phase}${entry.compensate === undefined ? '' : ` via ${entry.compensate}`}: ${entry.status}${entry.error === undefined ? '' : ` (${entry.error})`}`);
  }
}
