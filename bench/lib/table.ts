/** One line of a benchmark table; every bench exports a `run…Bench(): Promise<BenchRow[]>`. */
export interface BenchRow {
  /** What was measured, e.g. `canonical write 10k`. */
  readonly name: string;
  /** Median wall time in milliseconds (absent for non-time rows such as memory). */
  readonly median_ms?: number;
  /** Median CPU time (user + system) in milliseconds, when measured. */
  readonly cpu_ms?: number;
  /** Fastest run in milliseconds. */
  readonly min_ms?: number;
  /** Number of timed runs behind the median. */
  readonly runs?: number;
  /** Peak resident memory in MB (memory rows). */
  readonly peak_mb?: number;
  /** The target as text, e.g. `< 150 ms`. */
  readonly target?: string;
  /** Whether the target was met (absent when there is no target). */
  readonly met?: boolean;
  /** Anything else worth a note (method, caveat). */
  readonly note?: string;
}

function cell(row: BenchRow, column: string): string {
  switch (column) {
    case 'name':
      return row.name;
    case 'median':
      if (row.median_ms !== undefined) return `${row.median_ms.toFixed(1)} ms`;
      return row.peak_mb === undefined ? '' : `${row.peak_mb.toFixed(1)} MB`;
    case 'cpu':
      return row.cpu_ms === undefined ? '' : `${row.cpu_ms.toFixed(1)} ms`;
    case 'min':
      return row.min_ms === undefined ? '' : `${row.min_ms.toFixed(1)} ms`;
    case 'target':
      return row.target ?? '';
    case 'met':
      return row.met === undefined ? '' : row.met ? 'met' : 'NOT MET';
    case 'note':
      return row.note ?? '';
    default:
      return '';
  }
}

/** A plain-text table of rows: name, median (or peak), CPU median, min, target, met, note. */
export function formatTable(rows: readonly BenchRow[]): string {
  const columns = ['name', 'median', 'cpu', 'min', 'target', 'met', 'note'];
  const cells = rows.map((row) => columns.map((column) => cell(row, column)));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line.map((text, index) => (index === 0 ? text.padEnd(widths[index] ?? 0) : text.padStart(widths[index] ?? 0))).join('  ').trimEnd();
  return [render(columns), render(widths.map((width) => '-'.repeat(width))), ...cells.map(render)].join('\n');
}
