import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machineLine, runIfMain } from './lib/main.js';
import { median } from './lib/measure.js';
import { formatTable, type BenchRow } from './lib/table.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGET_MS = 150;

function timeCommand(args: readonly string[], runs: number): number[] {
  const samples: number[] = [];
  for (let index = 0; index < runs + 2; index += 1) {
    const start = performance.now();
    const child = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    const elapsed = performance.now() - start;
    if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${String(child.status)}`);
    if (index >= 2) samples.push(elapsed); // the first two runs warm the disk cache
  }
  return samples;
}

/** Start-up time of each CLI's `--help` as a whole process, next to a bare `node -e 0`. */
export async function runStartupBench(runs = 11): Promise<BenchRow[]> {
  const floor = timeCommand(['-e', '0'], runs);
  const rows: BenchRow[] = [
    { name: 'startup: node -e 0 (floor)', median_ms: median(floor), min_ms: Math.min(...floor), runs },
  ];
  for (const tool of ['writ', 'lore', 'receipts']) {
    const samples = timeCommand([`bin/${tool}.js`, '--help'], runs);
    const value = median(samples);
    rows.push({
      name: `startup: ${tool} --help`,
      median_ms: value,
      min_ms: Math.min(...samples),
      runs,
      target: `< ${TARGET_MS} ms`,
      met: value < TARGET_MS,
    });
  }
  return rows;
}

runIfMain(import.meta.url, async () => {
  process.stdout.write(`startup benchmark: ${machineLine()}\n\n${formatTable(await runStartupBench())}\n`);
});
