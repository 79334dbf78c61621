import { runExecutorBench } from './executor.js';
import { runGraphBench } from './graph.js';
import { runLoreBench } from './lore.js';
import { machineLine, runIfMain } from './lib/main.js';
import { runReceiptsBench } from './receipts.js';
import { formatTable, type BenchRow } from './lib/table.js';
import { runStartupBench } from './startup.js';
import { runWritBench } from './writ.js';

/** Every benchmark, in the order the summary prints them. */
const SUITES: readonly { readonly name: string; readonly run: () => Promise<BenchRow[]> }[] = [
  { name: 'startup', run: () => runStartupBench() },
  { name: 'graph', run: () => runGraphBench() },
  { name: 'executor', run: () => runExecutorBench() },
  { name: 'receipts', run: () => runReceiptsBench() },
  { name: 'lore', run: () => runLoreBench() },
  { name: 'writ', run: () => runWritBench() },
];

runIfMain(import.meta.url, async () => {
  const only = process.argv.slice(2);
  process.stdout.write(`writ-lore benchmarks: ${machineLine()}\n`);
  process.stdout.write('median = wall time; cpu = user+system of the measuring process (steadier on a shared machine)\n');
  const rows: BenchRow[] = [];
  for (const suite of SUITES) {
    if (only.length > 0 && !only.includes(suite.name)) continue;
    process.stderr.write(`running ${suite.name} …\n`);
    rows.push(...(await suite.run()));
  }
  process.stdout.write(`\n${formatTable(rows)}\n`);
  const missed = rows.filter((row) => row.met === false);
  const targets = rows.filter((row) => row.met !== undefined).length;
  process.stdout.write(`\n${targets - missed.length} of ${targets} targets met`);
  process.stdout.write(missed.length === 0 ? '\n' : `; not met: ${missed.map((row) => row.name.trim()).join(', ')}\n`);
});
