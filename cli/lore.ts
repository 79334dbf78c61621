import type { Command } from 'commander';
import type { CliStreams } from './output.js';
import { createProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

const EXAMPLES = `  $ lore install ripgrep --registry ./registry --dry-run   print the purchase order
  $ lore install ripgrep --registry ./registry             install with rollback on failure
  $ lore list                                              installed packages`;

/** Builds the `lore` command tree (subcommands load their modules lazily). */
export function loreProgram(): Command {
  return createProgram(
    'lore',
    'Install packages from a registry as a saga that rolls back cleanly when a phase fails.',
    EXAMPLES,
  ).version(packageVersion(), '-V, --version');
}

/** Runs `lore` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runProgram(loreProgram(), argv, streams);
}
