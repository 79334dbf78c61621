import { Option, type Command } from 'commander';
import type { CliStreams } from './output.js';
import { addCommand, createProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

const EXAMPLES = `  $ writ apply --dry-run --repo ~/dotfiles     print the purchase order, change nothing
  $ writ apply --repo ~/dotfiles               deploy, then write a receipt
  $ writ status                                compare the last receipts with the disk
  $ writ rollback latest                       undo the last deployment
  $ writ recover                               roll back a run that was killed`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The flags of every command that builds a plan from the repository. */
function planOptions(): Option[] {
  return [
    new Option('--repo <dir>', 'the repository (one layer called base); or WRIT_REPO'),
    new Option('--layer <name=dir>', 'a layer (repeatable): base, team, personal or your own').argParser(collect),
    new Option('--target <dir>', 'where Home/ deploys (default $HOME)'),
    new Option('--system', 'deploy System/ (to /) too'),
    new Option('-s, --segment <name=value>', 'set a segment (repeatable), e.g. -s DISTRO=Ubuntu').argParser(collect),
    new Option('--identity <file>', 'age identity file for .age secrets (repeatable)').argParser(collect),
    new Option('--config-dir <dir>', 'config directory (writ.yaml, keys); or WRIT_LORE_CONFIG_DIR'),
  ];
}

function conflictFlags(): Option[] {
  return [
    new Option('--conflict <resolution>', 'what to do with anything in the way (with --plan: for the conflicts the saved plan leaves at stop)').choices(['stop', 'backup', 'overwrite', 'skip', 'adopt']).default('stop'),
    new Option('--conflict-path <path=resolution>', 'a resolution for one target path: absolute, ~/… or relative to the target (repeatable)').argParser(collect),
  ];
}

function addApply(program: Command): void {
  addCommand(
    program,
    {
      name: 'apply [projects...]',
      description: 'Deploy projects: preflight, run with rollback on failure, write a receipt',
      examples: `  $ writ apply --repo ~/dotfiles --dry-run             the purchase order; nothing is written
  $ writ apply --repo ~/dotfiles --dry-run --diff      ... with unified diffs of copies and templates
  $ writ apply --repo ~/dotfiles --dry-run --out p.yaml  save the plan (signed when a key exists)
  $ writ apply --plan p.yaml                           run exactly that plan, if nothing drifted
  $ writ apply shell git --repo ~/dotfiles --conflict backup   move what is in the way to the backups
  $ writ apply --conflict-path '~/.bashrc=adopt'        move ~/.bashrc into the repository, then link it
  $ writ apply --layer base=~/base --layer personal=~/me --identity ~/.age/key.txt`,
      options: [
        ...planOptions(),
        ...conflictFlags(),
        new Option('-n, --dry-run', 'print the purchase order and change nothing'),
        new Option('--diff', 'with --dry-run: unified diffs (secrets as digests only)'),
        new Option('--out <file>', 'save the plan as YAML instead of applying it'),
        new Option('--plan <file>', 'apply a saved plan (verified, then checked for drift)'),
        new Option('--require-signature', 'with --plan: refuse an unsigned plan'),
        new Option('--jobs <n>', 'nodes run at once (default: the number of CPUs)'),
      ],
    },
    () => import('./writ/apply.js').then((module) => module.handler),
  );
}

function addInspect(program: Command): void {
  addCommand(
    program,
    {
      name: 'status',
      description: 'Compare the deployed files (from receipts) with the disk and the repository',
      examples: `  $ writ status
  $ writ status --json
  $ writ status --repo ~/dotfiles      also report source changes and orphans against this repository`,
      options: [...planOptions()],
    },
    () => import('./writ/status.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'diff [paths...]',
      description: 'What apply would change, as unified diffs (secrets as digests only)',
      examples: `  $ writ diff --repo ~/dotfiles
  $ writ diff --repo ~/dotfiles ~/.config/git/config`,
      options: [...planOptions()],
    },
    () => import('./writ/diff.js').then((module) => module.handler),
  );
}

function addRecovery(program: Command): void {
  addCommand(
    program,
    {
      name: 'recover',
      description: 'Roll back a run that was interrupted (killed), from its journal',
      examples: `  $ writ recover                       roll back every interrupted run (writ's or lore's)
  $ writ recover --json`,
      options: [new Option('--config-dir <dir>', 'config directory (keys); or WRIT_LORE_CONFIG_DIR')],
    },
    () => import('./writ/recover.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'rollback [receipt]',
      description: 'Undo a past run (a receipt name or "latest") from its receipt and backups',
      examples: `  $ writ rollback                      undo the latest deployment
  $ writ rollback writ-2026-11-01T12-00-00-000Z
  $ writ rollback latest --force       even if some of its paths changed since`,
      options: [
        new Option('--force', 'roll back paths that changed since (what is there now goes to the backups)'),
        new Option('--config-dir <dir>', 'config directory (keys); or WRIT_LORE_CONFIG_DIR'),
      ],
    },
    () => import('./writ/rollback.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'remove <projects...>',
      description: "Take projects' files out of the target, restoring what their deployment backed up",
      examples: `  $ writ remove shell
  $ writ remove git secrets --force    also remove copies edited since they were deployed
  $ writ remove shell --target /srv/kiosk   only from that target (default: every target it was deployed to)`,
      options: [
        new Option('--force', 'also remove files changed since they were deployed (moved to the backups)'),
        new Option('--target <dir>', 'only from this target (default: from every target the projects were deployed to)'),
        new Option('--config-dir <dir>', 'config directory (keys); or WRIT_LORE_CONFIG_DIR'),
      ],
    },
    () => import('./writ/remove.js').then((module) => module.handler),
  );
}

/** Builds the `writ` command tree (subcommands load their modules lazily). */
export function writProgram(): Command {
  const program = createProgram(
    'writ',
    'Deploy configuration (dotfiles) from a layered repository into a target directory.',
    EXAMPLES,
  ).version(packageVersion(), '-V, --version');
  addApply(program);
  addInspect(program);
  addRecovery(program);
  return program;
}

/** Runs `writ` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runProgram(writProgram(), argv, streams);
}
