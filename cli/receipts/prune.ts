import { WritLoreError, pruneBackups, type PruneSelection } from '../../src/index.js';
import type { CommandContext, Handler } from '../program.js';
import { EXIT } from '../exit-codes.js';
import { parseTimeBound } from '../time-range.js';
import { JSON_FORMAT_VERSION, formatBytes, openStore, type StoreOptions } from './common.js';

/** Options of `receipts prune`. */
export interface PruneCommandOptions extends StoreOptions {
  readonly keep?: string;
  readonly olderThan?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

function selectionOf(options: PruneCommandOptions): PruneSelection {
  if ((options.keep === undefined) === (options.olderThan === undefined)) {
    throw new WritLoreError('invalid-input', 'give exactly one of --keep N and --older-than AGE', {
      hint: 'receipts prune --keep 10, or receipts prune --older-than 30d',
    });
  }
  if (options.keep !== undefined) {
    if (!/^\d+$/.test(options.keep)) throw new WritLoreError('invalid-input', `invalid --keep ${JSON.stringify(options.keep)}: use a whole number`);
    return { kind: 'keep', count: Number(options.keep) };
  }
  return { kind: 'older-than', before: parseTimeBound(options.olderThan ?? '', '--older-than', new Date()) };
}

/** `receipts prune`: removes old backups, never one a receipt still needs unless `--force`. */
export const handler: Handler<PruneCommandOptions> = async (ctx: CommandContext<PruneCommandOptions>) => {
  const { out, options } = ctx;
  const report = await pruneBackups(openStore(ctx), {
    selection: selectionOf(options),
    force: options.force === true,
    dryRun: options.dryRun === true,
  });
  if (out.isJson) {
    out.json({ version: JSON_FORMAT_VERSION, dry_run: options.dryRun === true, freed_bytes: report.freedBytes, items: report.items });
    return EXIT.ok;
  }
  const verb = options.dryRun === true ? 'would remove' : 'removed';
  for (const item of report.items) {
    if (item.kind === 'removed') out.line(`${verb} ${item.stem} (${formatBytes(item.bytes)})`);
    else out.line(`kept ${item.stem} (${formatBytes(item.bytes)}): ${item.reason}`);
  }
  const freed = options.dryRun === true ? 'would free' : 'freed';
  out.line(`${freed} ${formatBytes(report.freedBytes)}`, true);
  return EXIT.ok;
};
