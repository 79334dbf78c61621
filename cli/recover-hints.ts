import { TOOLS, unfinishedRollbacks, type ReceiptStore, type Tool } from '../src/index.js';

/**
 * One warning per run of another tool whose rollback stopped at a failed undo (`interrupted`):
 * `TOOL recover` finishes only its own tool's, so each names the command that finishes it.
 */
export async function otherToolsUnfinished(store: ReceiptStore, tool: Tool): Promise<string[]> {
  const lines: string[] = [];
  for (const other of TOOLS.filter((name) => name !== tool)) {
    for (const run of await unfinishedRollbacks(store, other)) {
      lines.push(`${run.stem}: a ${other} run whose rollback is unfinished; run '${other} recover'`);
    }
  }
  return lines;
}
