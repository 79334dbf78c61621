/**
 * Graph benchmark: build+validate, canonical write, checksum, sign, parse and verify of
 * writ-shaped plans (bench/lib/plan-graph.ts) of 1k, 10k and 100k nodes, plus the peak memory
 * of a child process running the whole 10k pipeline. Medians after a warm-up; targets (issue 2)
 * apply to 10k. Runnable standalone: `npm run build && node dist/bench/graph.js`.
 */
import { fileURLToPath } from 'node:url';
import nacl from 'tweetnacl';
import {
  assertValidGraph,
  computeChecksum,
  parseGraph,
  signGraph,
  verifyGraph,
  writeGraphYaml,
} from '../src/graph/index.js';
import type { Graph } from '../src/graph/index.js';
import { machineLine, runIfMain } from './lib/main.js';
import { measure } from './lib/measure.js';
import type { MeasureOptions, Timing } from './lib/measure.js';
import { childPeakMemory, ownPeakMemoryMb } from './lib/memory.js';
import { PLAN_CATALOG, buildPlanGraph } from './lib/plan-graph.js';
import { formatTable } from './lib/table.js';
import type { BenchRow } from './lib/table.js';

/** Targets for the 10k-node graph, in milliseconds (memory in MB). */
const TARGETS_10K = {
  'build+validate': 50,
  'canonical write': 150,
  'parse+verify': 250,
  'peak memory': 150,
} as const;

const KEYS = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(1));
const BASENAME = 'writ-bench.yaml';

function buildAndValidate(size: number): Graph {
  const graph = buildPlanGraph(size);
  assertValidGraph(graph, { catalog: PLAN_CATALOG });
  return graph;
}

function parseAndVerify(text: string): void {
  const result = verifyGraph(parseGraph(text), { basename: BASENAME, trustedKeys: [KEYS.publicKey] });
  if (result.kind !== 'verified') throw new Error(`bench graph did not verify: ${result.kind}`);
}

function label(size: number): string {
  return size >= 1000 ? `${size / 1000}k` : String(size);
}

function withTarget(name: string, size: number, timing: Timing): BenchRow {
  const target = size === 10_000 ? (TARGETS_10K as Record<string, number>)[name] : undefined;
  const { median_ms, cpu_ms, min_ms, runs } = timing;
  const row: BenchRow = { name: `${name} ${label(size)}`, median_ms, cpu_ms, min_ms, runs };
  return target === undefined ? row : { ...row, target: `< ${target} ms`, met: timing.median_ms < target };
}

async function benchSize(size: number): Promise<BenchRow[]> {
  const options: MeasureOptions = size >= 100_000 ? { warmup: 1, runs: 5 } : { warmup: 2, runs: 7 };
  const graph = buildAndValidate(size);
  const signed = signGraph(graph, KEYS.secretKey, BASENAME);
  const text = writeGraphYaml(signed);
  const rows: BenchRow[] = [];
  const add = async (name: string, operation: () => unknown): Promise<void> => {
    rows.push(withTarget(name, size, await measure(() => undefined, operation, options)));
  };
  await add('build+validate', () => buildAndValidate(size));
  await add('canonical write', () => writeGraphYaml(graph));
  await add('checksum', () => computeChecksum(graph, BASENAME));
  await add('sign', () => signGraph(graph, KEYS.secretKey, BASENAME));
  await add('parse', () => parseGraph(text));
  const parsed = parseGraph(text);
  await add('verify', () => verifyGraph(parsed, { basename: BASENAME, trustedKeys: [KEYS.publicKey] }));
  await add('parse+verify', () => parseAndVerify(text));
  return rows;
}

/** The whole pipeline once (child mode): what the peak-memory row measures. */
function runPipeline(size: number): void {
  // Two steps, so that the built graph is garbage by the time the saved text is read back.
  const text = buildAndSave(size);
  parseAndVerify(text);
}

function buildAndSave(size: number): string {
  return writeGraphYaml(signGraph(buildAndValidate(size), KEYS.secretKey, BASENAME));
}

async function memoryRow(size: number): Promise<BenchRow> {
  const script = fileURLToPath(import.meta.url);
  const { peak_mb, method } = await childPeakMemory(script, ['--pipeline', String(size)]);
  const target = TARGETS_10K['peak memory'];
  return {
    name: `peak memory ${label(size)} pipeline`,
    peak_mb,
    target: `< ${target} MB`,
    met: peak_mb < target,
    note: `child process, ${method}`,
  };
}

/** Runs the graph benchmark and returns its rows (used by bench/run.ts). */
export async function runGraphBench(sizes: readonly number[] = [1_000, 10_000, 100_000]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of sizes) rows.push(...(await benchSize(size)));
  rows.push(await memoryRow(10_000));
  return rows;
}

async function main(argv: readonly string[]): Promise<void> {
  const pipeline = argv.indexOf('--pipeline');
  if (pipeline !== -1) {
    runPipeline(Number(argv[pipeline + 1] ?? 10_000));
    process.stdout.write(`${JSON.stringify({ vmhwm_mb: ownPeakMemoryMb() })}\n`);
    return;
  }
  process.stdout.write(`graph benchmark: ${machineLine()}\n`);
  process.stdout.write('median = wall time, cpu = user+system time of this process (steadier when the machine is shared)\n\n');
  const rows = await runGraphBench();
  process.stdout.write(`${formatTable(rows)}\n`);
}

runIfMain(import.meta.url, () => main(process.argv.slice(2)));
