import { WritLoreError, buildStateView, listReceiptRows, type Tool, type ViewProblem } from '../../src/index.js';
import type { CommandContext, Handler } from '../program.js';
import { parseTimeRange } from '../time-range.js';
import { openStore, type StoreOptions } from './common.js';
import { printFileHistory, printPackageHistory } from './view-history.js';
import { printRuns } from './view-runs.js';
import { printTree } from './view-tree.js';
import { EXIT } from '../exit-codes.js';

/** Options of `receipts view`. */
export interface ViewOptions extends StoreOptions {
  readonly since?: string;
  readonly until?: string;
  readonly tool?: readonly string[];
  readonly file?: string;
  readonly package?: string;
  readonly tree?: boolean;
}

function parseTools(values: readonly string[] | undefined): readonly Tool[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.map((value) => {
    if (value === 'writ' || value === 'lore') return value;
    throw new WritLoreError('invalid-input', `invalid --tool ${JSON.stringify(value)}: use writ or lore`);
  });
}

function modeOf(options: ViewOptions): 'runs' | 'file' | 'package' | 'tree' {
  const chosen = [options.file !== undefined, options.package !== undefined, options.tree === true].filter(Boolean);
  if (chosen.length > 1) {
    throw new WritLoreError('invalid-input', '--file, --package and --tree cannot be combined', {
      hint: 'pick one view at a time',
    });
  }
  if (options.file !== undefined) return 'file';
  if (options.package !== undefined) return 'package';
  return options.tree === true ? 'tree' : 'runs';
}

/** `receipts view`: runs, one file's or package's history, or the deployed tree. */
export const handler: Handler<ViewOptions> = async (ctx: CommandContext<ViewOptions>) => {
  const { options, out } = ctx;
  const mode = modeOf(options);
  const range = parseTimeRange(options, new Date());
  const tools = parseTools(options.tool);
  const store = openStore(ctx);
  const filters = { ...range, ...(tools === undefined ? {} : { tools }) };
  if (mode === 'runs') {
    // The runs table needs only each receipt's row, not the whole view.
    const { rows, problems } = await listReceiptRows(store, filters);
    printRuns(out, rows, problems, await store.journals());
    return reportProblems(ctx, problems);
  }
  const view = await buildStateView(store, filters);
  switch (mode) {
    case 'file':
      printFileHistory(out, view, options.file ?? '');
      break;
    case 'package':
      printPackageHistory(out, view, options.package ?? '');
      break;
    case 'tree':
      printTree(out, view);
      break;
    default:
      mode satisfies never;
  }
  return reportProblems(ctx, view.problems);
};

function reportProblems(ctx: CommandContext<ViewOptions>, problems: readonly ViewProblem[]): number {
  for (const problem of problems) {
    ctx.out.warn(`skipped receipt ${problem.receipt}: ${problem.message}`);
  }
  return problems.length > 0 ? EXIT.integrity : EXIT.ok;
}
