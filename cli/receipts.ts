import type { Command } from 'commander';
import type { CliStreams } from './output.js';
import { createProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

const EXAMPLES = `  $ receipts view --since 7d          runs of the last week
  $ receipts show latest              the newest receipt, summarised
  $ receipts verify --all             check every checksum and signature`;

/** Builds the `receipts` command tree (subcommands load their modules lazily). */
export function receiptsProgram(): Command {
  return createProgram(
    'receipts',
    'Inspect the history of writ and lore runs: receipts, signatures, per-file and per-package history.',
    EXAMPLES,
  ).version(packageVersion(), '-V, --version');
}

/** Runs `receipts` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runProgram(receiptsProgram(), argv, streams);
}
