import { Command, CommanderError, Option } from 'commander';
// The eager path of every CLI loads only the error module: the library loads with the command
// that needs it (lazy handlers), which keeps `--help` well under 150 ms.
import { WritLoreError, errorMessage, isWritLoreError } from '../src/graph/errors.js';
import { EXIT } from './exit-codes.js';
import { Output, processStreams, type CliStreams, type OutputOptions } from './output.js';
import { exitOnBrokenPipe } from './pipe.js';

/** The options every command of every tool accepts. */
export interface GlobalOptions extends OutputOptions {
  readonly stateDir?: string;
}

/** What a command handler receives: its parsed options, arguments, and the output. */
export interface CommandContext<O = Record<string, unknown>> {
  readonly options: O & GlobalOptions;
  readonly args: readonly string[];
  readonly out: Output;
  readonly streams: CliStreams;
}

/** A command handler returns the exit code. */
export type Handler<O = Record<string, unknown>> = (ctx: CommandContext<O>) => Promise<number>;

/** A handler module loaded lazily, so `--help` stays fast. */
export type LazyHandler<O = Record<string, unknown>> = () => Promise<Handler<O>>;

/** Creates a tool's root command with the global options and help footer. */
export function createProgram(tool: string, description: string, examples: string): Command {
  const program = new Command(tool)
    .description(description)
    .option('--json', 'emit machine-readable JSON')
    .option('--state-dir <dir>', 'state directory (receipts, journals, backups)')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)')
    .option('-q, --quiet', 'print only errors and the final result')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError(false)
    .addHelpText('after', `\nExamples:\n${examples}`);
  return program;
}

/** Adds a subcommand whose handler module is imported only when the command runs. */
export function addCommand<O>(
  parent: Command,
  spec: { name: string; description: string; examples: string; options?: readonly Option[] },
  load: LazyHandler<O>,
): Command {
  const command = parent.command(spec.name).description(spec.description);
  for (const option of spec.options ?? []) command.addOption(option);
  command.addHelpText('after', `\nExamples:\n${spec.examples}`);
  command.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    const handler = await load();
    pending.code = await handler(contextFor<O>(self));
  });
  return command;
}

// Commander actions cannot return values; the running command leaves its exit code here.
const pending: { code: number; out: Output | undefined; streams: CliStreams } = {
  code: EXIT.ok,
  out: undefined,
  streams: processStreams(),
};

function contextFor<O>(command: Command): CommandContext<O> {
  const options = command.optsWithGlobals() as O & GlobalOptions;
  const out = new Output(command.parent?.name() ?? command.name(), options, pending.streams);
  pending.out = out;
  return { options, args: command.args, out, streams: pending.streams };
}

/**
 * Parses `argv` (without node and script), runs the command and returns its exit code. Usage
 * errors exit 2 with one line; other errors are mapped through the exit-code table.
 */
export async function runProgram(
  program: Command,
  argv: readonly string[],
  streams: CliStreams = processStreams(),
): Promise<number> {
  pending.code = EXIT.ok;
  pending.out = undefined;
  pending.streams = streams;
  const tool = program.name();
  const isDebug = argv.includes('--debug');
  if (streams.stdout === process.stdout && !isPipeGuarded) {
    exitOnBrokenPipe(process.stdout);
    isPipeGuarded = true;
  }
  configureStreams(program, streams);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return pending.code;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(tool, error, streams, argv.includes('--json'));
    const out = pending.out ?? new Output(tool, { debug: isDebug }, streams);
    const code = out.error(error);
    // A machine asking for JSON gets the failure as JSON too (the one line still goes to stderr).
    if (out.isJson) out.json(errorDocument(error, code));
    return code;
  }
}

let isPipeGuarded = false;

function configureStreams(command: Command, streams: CliStreams): void {
  command.exitOverride();
  command.configureOutput({
    writeOut: (text) => streams.stdout.write(text),
    writeErr: (text) => streams.stderr.write(text),
    outputError: () => undefined,
  });
  for (const sub of command.commands) configureStreams(sub, streams);
}

function commanderExit(tool: string, error: CommanderError, streams: CliStreams, isJson: boolean): number {
  const isHelp = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
  if (isHelp || error.exitCode === 0) return EXIT.ok;
  // A bare `tool` prints its help on stderr: that is a usage error, not success.
  if (error.code === 'commander.help') return EXIT.usage;
  const out = new Output(tool, {}, streams);
  const message = error.message.replace(/^error: /, '');
  const usage = new WritLoreError('invalid-input', message, { hint: `see '${tool} --help'` });
  out.error(usage);
  // Asked for JSON (the flag seen, though the line did not parse): the failure as JSON too.
  if (isJson) out.json(errorDocument(usage, EXIT.usage));
  return EXIT.usage;
}

/**
 * The `--json` document of a command that failed: `{ version: 1, error: { code, exit_code,
 * message, path?, line?, hint?, conflicts? } }` (snake_case, as every JSON document).
 */
export function errorDocument(error: unknown, exitCode: number): { version: 1; error: Record<string, unknown> } {
  const known = isWritLoreError(error) ? error : undefined;
  // A ConflictError's list, read by shape: importing the executor here would load the whole
  // library for every `--help`.
  const listed = (error as { conflicts?: unknown } | undefined)?.conflicts;
  const conflicts = isWritLoreError(error, 'conflict') && Array.isArray(listed)
    ? (listed as readonly ConflictShape[]).map(({ path, node, action, kind, reason, resolution, note }) => ({ path, node, action, kind, reason, resolution, ...(note === undefined ? {} : { note }) }))
    : undefined;
  return {
    version: 1,
    error: {
      code: known?.code ?? 'internal',
      exit_code: exitCode,
      message: errorMessage(error),
      ...(known?.path === undefined ? {} : { path: known.path }),
      ...(known?.line === undefined ? {} : { line: known.line }),
      ...(known?.hint === undefined ? {} : { hint: known.hint }),
      ...(conflicts === undefined ? {} : { conflicts }),
    },
  };
}

/** The fields of a preflight conflict the JSON error document lists. */
interface ConflictShape {
  readonly path: string;
  readonly node: string;
  readonly action: string;
  readonly kind: string;
  readonly reason: string;
  readonly resolution: string;
  readonly note?: string;
}
