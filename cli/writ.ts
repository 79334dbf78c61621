import type { Command } from 'commander';
import type { CliStreams } from './output.js';
import { createProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

const EXAMPLES = `  $ writ apply --dry-run --repo ~/dotfiles     print the purchase order, change nothing
  $ writ apply --repo ~/dotfiles               deploy, then write a receipt
  $ writ status                                compare the last receipt with the disk`;

/** Builds the `writ` command tree (subcommands load their modules lazily). */
export function writProgram(): Command {
  return createProgram(
    'writ',
    'Deploy configuration (dotfiles) from a layered repository into a target directory.',
    EXAMPLES,
  ).version(packageVersion(), '-V, --version');
}

/** Runs `writ` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runProgram(writProgram(), argv, streams);
}
