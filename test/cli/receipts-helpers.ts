import { main } from '../../cli/receipts.js';
import { outputSink } from '../helpers/output-sink.js';

/** What one in-process `receipts` call printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `receipts argv…` in-process against `stateDir`/`configDir` with captured output. */
export async function runReceipts(
  argv: readonly string[],
  dirs: { stateDir: string; configDir: string },
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  const stdout = outputSink();
  const stderr = outputSink();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { WRIT_LORE_STATE_DIR: dirs.stateDir, WRIT_LORE_CONFIG_DIR: dirs.configDir, NO_COLOR: '1', ...env },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
