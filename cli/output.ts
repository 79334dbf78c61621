import { styleText } from 'node:util';
import { errorMessage, isWritLoreError } from '../src/graph/errors.js';
import { exitCodeFor } from './exit-codes.js';

/** Where a CLI writes; injectable so tests can capture output without a child process. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The streams of the current process. */
export function processStreams(): CliStreams {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Output options common to every command. */
export interface OutputOptions {
  /** Emit machine-readable JSON instead of human text. */
  readonly json?: boolean;
  /** Suppress everything but errors and the final result. */
  readonly quiet?: boolean;
  /** `false` when `--no-color` was given. */
  readonly color?: boolean;
  /** Print stack traces for errors. */
  readonly debug?: boolean;
}

/** A style name accepted by `Output.paint`. */
export type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold' | 'magenta';

/** A column of a table: its heading and how to align it. */
export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
}

/**
 * The one output module of the CLIs: it knows TTY, `NO_COLOR`/`FORCE_COLOR`, `--no-color`,
 * `--json`, `--quiet` and `--debug`, and formats tables and errors.
 */
export class Output {
  readonly tool: string;
  readonly options: OutputOptions;
  readonly streams: CliStreams;
  readonly isColor: boolean;
  readonly isTTY: boolean;

  constructor(tool: string, options: OutputOptions, streams: CliStreams = processStreams()) {
    this.tool = tool;
    this.options = options;
    this.streams = streams;
    this.isTTY = streams.stdout.isTTY === true;
    this.isColor = decideColor(options, streams);
  }

  /** Whether JSON output was asked for. */
  get isJson(): boolean {
    return this.options.json === true;
  }

  /** Colours `text` when colour is on; otherwise returns it unchanged. */
  paint(style: Style, text: string): string {
    return this.isColor ? styleText(style, text, { validateStream: false }) : text;
  }

  /** Writes a line to stdout (human output; suppressed by --quiet unless `always`). */
  line(text = '', always = false): void {
    if (this.options.quiet === true && !always) return;
    this.streams.stdout.write(`${text}\n`);
  }

  /** Writes a line to stderr (progress, warnings). */
  note(text: string): void {
    if (this.options.quiet === true) return;
    this.streams.stderr.write(`${text}\n`);
  }

  /** Writes a warning to stderr. */
  warn(text: string): void {
    this.streams.stderr.write(`${this.tool}: ${this.paint('yellow', 'warning:')} ${text}\n`);
  }

  /** Writes a value as pretty JSON to stdout. */
  json(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Writes an aligned table (no borders) to stdout. */
  table(columns: readonly Column[], rows: readonly (readonly string[])[]): void {
    for (const text of formatTable(columns, rows, (s) => this.paint('bold', s))) this.line(text);
  }

  /**
   * Reports an error as `tool: error: message` plus a hint line, with the stack only under
   * `--debug`, and returns the exit code for it.
   */
  error(error: unknown): number {
    const label = this.paint('red', 'error:');
    this.streams.stderr.write(`${this.tool}: ${label} ${errorMessage(error)}\n`);
    if (isWritLoreError(error) && error.hint !== undefined) {
      this.streams.stderr.write(`${this.tool}: ${this.paint('dim', 'hint:')} ${error.hint}\n`);
    }
    if (this.options.debug === true && error instanceof Error && error.stack !== undefined) {
      this.streams.stderr.write(`${error.stack}\n`);
    }
    return exitCodeFor(error);
  }
}

function decideColor(options: OutputOptions, streams: CliStreams): boolean {
  if (options.color === false || options.json === true) return false;
  const noColor = streams.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const force = streams.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return streams.stdout.isTTY === true;
}

/** Pads a table into aligned lines: a heading line, then one line per row. */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  heading: (text: string) => string = (text) => text,
): string[] {
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.title), ...rows.map((row) => visibleWidth(row[index] ?? ''))),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        const padding = ' '.repeat(Math.max(0, width - visibleWidth(cell)));
        const isLast = index === cells.length - 1;
        if (columns[index]?.align === 'right') return padding + cell;
        return isLast ? cell : cell + padding;
      })
      .join('  ');
  const titles = columns.map((column) => column.title);
  const head = render(titles);
  return [heading(head), ...rows.map(render)];
}

// Colour escape sequences take no columns on screen.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}
