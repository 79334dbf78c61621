import { Option, type Command } from 'commander';
import type { CliStreams } from './output.js';
import { addCommand, createProgram, runProgram } from './program.js';
import { packageVersion } from './version.js';

const EXAMPLES = `  $ lore install greet --registry ./registry --dry-run     print the purchase order
  $ lore install greet --registry ./registry              install with rollback on failure
  $ lore list                                             installed packages`;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Options of every command that reads a registry or the prefix. */
function commonOptions(): Option[] {
  return [
    new Option('--registry <dir|url>', 'the registry: a directory or an http(s) URL (else LORE_REGISTRY, else lore.yaml)'),
    new Option('--prefix <dir>', 'where packages are installed (default ~/.local)'),
    new Option('--cache-dir <dir>', 'where remote registries and downloads are cached'),
    new Option('--config-dir <dir>', 'config directory (keys, lore.yaml)'),
  ];
}

function addInstallCommands(program: Command): void {
  addCommand(
    program,
    {
      name: 'install <packages...>',
      description: 'Resolve packages (dependencies too), run their phases as a saga and write a receipt',
      examples: `  $ lore install greet --registry fixtures/registry --prefix /tmp/p --dry-run
  $ lore install themed-prompt --with git-status --set theme=solarized
  $ lore install greet --registry http://127.0.0.1:8080/ --jobs 4 --json`,
      options: [
        ...commonOptions(),
        new Option('--with <feature>', 'enable a feature (repeatable)').argParser(collect),
        new Option('--without <feature>', 'disable a feature (repeatable)').argParser(collect),
        new Option('--set <name=value>', 'set a setting (repeatable)').argParser(collect),
        new Option('--dry-run', 'print the purchase order and change nothing'),
        new Option('--out <file>', 'also save the plan (YAML) to FILE'),
        new Option('--jobs <n>', 'downloads fetched at once before the saga (default 4)'),
      ],
    },
    () => import('./lore/install.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'remove <packages...>',
      description: 'Uninstall what the install receipt recorded, as a new run with its own receipt',
      examples: `  $ lore remove greet
  $ lore remove hello-tool --force        even though greet depends on it`,
      options: [...commonOptions(), new Option('--force', 'remove even when an installed package depends on it')],
    },
    () => import('./lore/remove.js').then((module) => module.handler),
  );
  addCommand(
    program,
    {
      name: 'recover',
      description: 'Roll back an interrupted install or remove from its journal',
      examples: `  $ lore recover                   roll back every interrupted run (lore's or writ's)
  $ lore recover --json`,
      options: commonOptions(),
    },
    () => import('./lore/recover.js').then((module) => module.handler),
  );
}

function addQueryCommands(program: Command): void {
  addCommand(
    program,
    { name: 'list', description: 'Installed packages with versions (from receipts), of every prefix unless --prefix is given', examples: `  $ lore list
  $ lore list --prefix ~/.local --json`, options: commonOptions() },
    () => import('./lore/list.js').then((module) => module.handler),
  );
  addCommand(
    program,
    { name: 'info <package>', description: 'Show a package of the registry', examples: `  $ lore info themed-prompt --registry fixtures/registry
  $ lore info greet --json`, options: commonOptions() },
    () => import('./lore/info.js').then((module) => module.handler),
  );
  addCommand(
    program,
    { name: 'search <term>', description: 'Find registry packages by name or description', examples: `  $ lore search prompt --registry fixtures/registry`, options: commonOptions() },
    () => import('./lore/search.js').then((module) => module.handler),
  );
}

/** Builds the `lore` command tree (subcommands load their modules lazily). */
export function loreProgram(): Command {
  const program = createProgram(
    'lore',
    'Install packages from a registry as a saga that rolls back cleanly when a phase fails.',
    EXAMPLES,
  ).version(packageVersion(), '-V, --version');
  addInstallCommands(program);
  addQueryCommands(program);
  return program;
}

/** Runs `lore` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], streams?: CliStreams): Promise<number> {
  return runProgram(loreProgram(), argv, streams);
}
