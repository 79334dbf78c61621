import path from 'node:path';
import type { ReceiptRow, ViewProblem } from '../../src/index.js';
import type { Output } from '../output.js';
import { JSON_FORMAT_VERSION, paintState, shortTime } from './common.js';

/** Prints the runs table (newest last) or its JSON, and names interrupted runs. */
export function printRuns(
  out: Output,
  rows: readonly ReceiptRow[],
  problems: readonly ViewProblem[],
  journals: readonly string[],
): void {
  const interrupted = journals.map((journal) => path.basename(journal));
  if (out.isJson) {
    out.json({
      version: JSON_FORMAT_VERSION,
      receipts: rows.map((row) => ({
        name: row.stem,
        tool: row.tool,
        time: row.timestamp,
        state: row.state,
        nodes: row.nodes,
        by_status: row.by_status,
        signed_by: row.signed_by,
      })),
      journals: interrupted,
      problems,
    });
    return;
  }
  if (rows.length === 0) {
    out.line('no receipts match', true);
  } else {
    out.table(
      [
        { title: 'TIME (UTC)' },
        { title: 'TOOL' },
        { title: 'STATE' },
        { title: 'NODES', align: 'right' },
        { title: 'DONE', align: 'right' },
        { title: 'FAILED', align: 'right' },
        { title: 'UNDONE', align: 'right' },
        { title: 'SKIPPED', align: 'right' },
        { title: 'SIGNED' },
        { title: 'NAME' },
      ],
      rows.map((row) => [
        shortTime(row.timestamp),
        row.tool,
        paintState(out, row.state),
        String(row.nodes),
        String(row.by_status.completed ?? 0),
        count(out, row.by_status.failed, 'red'),
        String(row.by_status.compensated ?? 0),
        String(row.by_status.skipped ?? 0),
        row.signed_by === null ? out.paint('dim', 'no') : 'yes',
        row.stem,
      ]),
    );
  }
  for (const journal of interrupted) {
    out.warn(`${journal}: a run without a receipt (interrupted, or still running); run 'writ recover' or 'lore recover'`);
  }
}

function count(out: Output, value: number | undefined, style: 'red'): string {
  const text = String(value ?? 0);
  return value === undefined || value === 0 ? text : out.paint(style, text);
}
