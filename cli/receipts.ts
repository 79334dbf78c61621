import { Option, type Command } from 'commander';
import type { CliStreams } from './output.js';
import { addCommand, createProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

const EXAMPLES = `  $ receipts view --since 7d          runs of the last week
  $ receipts show latest              the newest receipt, summarised
  $ receipts verify --all             check every checksum and signature`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const configDir = (): Option => new Option('--config-dir <dir>', 'config directory (keys, trusted keys)');
const requireSignature = (): Option =>
  new Option('--require-signature', 'treat unsigned receipts as an integrity failure');

function addViewCommands(program: Command): void {
  addCommand(
    program,
    {
      name: 'view',
      description: 'List runs, or show one file or package history, or the deployed tree',
      examples: `  $ receipts view --since 24h --tool writ
  $ receipts view --since 2026-11-01 --until 2026-11-07 --json
  $ receipts view --file ~/.bashrc
  $ receipts view --package ripgrep
  $ receipts view --tree`,
      options: [
        new Option('--since <when>', 'only receipts at or after: 30m, 24h, 7d, 2w or an ISO date'),
        new Option('--until <when>', 'only receipts at or before: 30m, 24h, 7d, 2w or an ISO date'),
        new Option('--tool <tool>', 'only receipts of writ or lore (repeatable)').argParser(collect),
        new Option('--file <path>', 'the history of one target path'),
        new Option('--package <name>', "one package's history: lore installs, upgrades, removes, rollbacks; pkg steps (apt, dnf, brew, npm)"),
        new Option('--tree', 'the deployed tree, marking links, copies, secrets and drift'),
        configDir(),
        requireSignature(),
      ],
    },
    () => import('./receipts/view.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'show <name>',
      description: 'Show one receipt (a name or "latest"), verified first',
      examples: `  $ receipts show latest
  $ receipts show writ-2026-11-01T12-00-00-000Z --yaml
  $ receipts show latest-lore --json`,
      options: [new Option('--yaml', 'print the receipt as canonical YAML'), configDir(), requireSignature()],
    },
    () => import('./receipts/show.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'verify [names...]',
      description: 'Check the checksum and signature of receipts; exit 4 naming any failure',
      examples: `  $ receipts verify --all
  $ receipts verify latest --require-signature`,
      options: [new Option('--all', 'verify every receipt'), configDir(), requireSignature()],
    },
    () => import('./receipts/verify.js').then((module) => module.handler),
  );
}

function addKeyCommands(program: Command): void {
  addCommand(
    program,
    {
      name: 'keygen',
      description: 'Create the Ed25519 signing key (private key mode 0600) and print its key id',
      examples: `  $ receipts keygen
  $ receipts keygen --force            replace an existing key`,
      options: [new Option('--force', 'replace an existing signing key'), configDir()],
    },
    () => import('./receipts/keygen.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'trust <file>',
      description: 'Trust receipts signed by the key in FILE.pub',
      examples: `  $ receipts trust laptop.pub        the signing.pub that 'receipts keygen' made on the laptop`,
      options: [configDir()],
    },
    () => import('./receipts/trust.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'prune',
      description: 'Remove old backups, keeping those a receipt still needs to roll back',
      examples: `  $ receipts prune --keep 10
  $ receipts prune --older-than 30d --dry-run
  $ receipts prune --older-than 2w --force`,
      options: [
        new Option('--keep <n>', 'keep the backups of the newest N runs'),
        new Option('--older-than <age>', 'remove backups of runs older than AGE (30d, 2w, or an ISO date)'),
        new Option('--force', 'also remove backups that a receipt still needs for its rollback'),
        new Option('--dry-run', 'say what would be removed, remove nothing'),
        configDir(),
      ],
    },
    () => import('./receipts/prune.js').then((module) => module.handler),
  );
}

/** Builds the `receipts` command tree (subcommands load their modules lazily). */
export function receiptsProgram(): Command {
  const program = createProgram(
    'receipts',
    'Inspect the history of writ and lore runs: receipts, signatures, per-file and per-package history.',
    EXAMPLES,
  ).version(packageVersion(), '-V, --version');
  addViewCommands(program);
  addKeyCommands(program);
  return program;
}

/** Runs `receipts` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runProgram(receiptsProgram(), argv, streams);
}
