/**
 * Receipts benchmark (issue 5): `receipts view` over 1,000 receipts of 100 nodes (whole CLI
 * process), StateView over 100 receipts of 10k nodes (in process), each cold (no verified-receipt
 * cache) and warm, and the journal's overhead on a 10k-node file run. Everything lives on tmpfs
 * (/dev/shm) when present. Runnable standalone: `npm run build && node dist/bench/receipts.js`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GraphExecutor,
  KeyStore,
  ReceiptStore,
  backupStoreFor,
  beginRecordedRun,
  buildStateView,
  createDefaultRegistry,
  fileProvider,
  type Graph,
  type Node,
} from '../src/index.js';
import { measure, median } from './lib/measure.js';
import { machineLine, runIfMain } from './lib/main.js';
import { formatTable, type BenchRow } from './lib/table.js';

const TMP = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', '..', 'bin', 'receipts.js');

function receiptGraph(size: number, timestamp: string, root: string): Graph {
  const nodes: Node[] = [];
  for (let index = 0; index < size; index += 1) {
    const relative = `.config/app${index % 97}/file-${index}.conf`;
    nodes.push({
      id: relative,
      action: index % 10 === 9 ? 'file.copy' : 'file.link',
      status: 'completed',
      project: `p${index % 5}`,
      layer: 'base',
      slots: {
        source: { kind: 'immediate', value: `/home/kim/env/base/${relative}` },
        path: { kind: 'immediate', value: `${root}/${relative}` },
      },
      started_at: timestamp,
      finished_at: timestamp,
      target_digest: `sha256:${(index * 2654435761 % 2 ** 32).toString(16).padStart(64, '0')}`,
    });
  }
  return {
    version: '1', tool: 'writ', timestamp, state: 'executed', platform: { os: 'linux', arch: 'x64' },
    context: { target_root: root }, nodes, edges: [],
  };
}

async function seedReceipts(stateDir: string, configDir: string, count: number, size: number): Promise<ReceiptStore> {
  const keys = new KeyStore(configDir);
  await keys.generate({ overwrite: true });
  const store = new ReceiptStore({ stateDir, keys });
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let index = 0; index < count; index += 1) {
    await store.write(receiptGraph(size, new Date(start + index * 3_600_000).toISOString(), '/home/kim'));
  }
  return store;
}

function dropCache(stateDir: string): void {
  fs.rmSync(path.join(stateDir, 'cache'), { recursive: true, force: true });
}

function runView(stateDir: string, configDir: string): void {
  const result = spawnSync(process.execPath, [BIN, 'view', '--state-dir', stateDir, '--config-dir', configDir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`receipts view exited ${result.status}: ${result.stderr}`);
}

async function viewRows(work: string): Promise<BenchRow[]> {
  const stateDir = path.join(work, 'view-state');
  const configDir = path.join(work, 'view-config');
  await seedReceipts(stateDir, configDir, 1000, 100);
  const cold = await measure(() => dropCache(stateDir), () => runView(stateDir, configDir), { warmup: 1, runs: 5 });
  const warm = await measure(() => undefined, () => runView(stateDir, configDir), { warmup: 1, runs: 7 });
  return [
    { name: 'receipts view 1000×100 (cold)', median_ms: cold.median_ms, min_ms: cold.min_ms, runs: cold.runs, target: '< 1000 ms', met: cold.median_ms < 1000, note: 'whole process, verifies every receipt' },
    { name: 'receipts view 1000×100 (warm)', median_ms: warm.median_ms, min_ms: warm.min_ms, runs: warm.runs, target: '< 1000 ms', met: warm.median_ms < 1000, note: 'whole process, verified cache' },
  ];
}

async function stateViewRows(work: string): Promise<BenchRow[]> {
  const stateDir = path.join(work, 'sv-state');
  const store = await seedReceipts(stateDir, path.join(work, 'sv-config'), 100, 10_000);
  const check = (view: Awaited<ReturnType<typeof buildStateView>>): void => {
    if (view.receipts.length !== 100 || view.problems.length > 0) throw new Error('state view bench: wrong receipts');
  };
  const cold = await measure(() => dropCache(stateDir), async () => check(await buildStateView(store)), { warmup: 0, runs: 1 });
  const warm = await measure(() => undefined, async () => check(await buildStateView(store)), { warmup: 1, runs: 5 });
  return [
    { name: 'StateView 100×10k (cold)', median_ms: cold.median_ms, cpu_ms: cold.cpu_ms, min_ms: cold.min_ms, runs: cold.runs, target: '< 2000 ms', met: cold.median_ms < 2000, note: 'parse + verify every receipt' },
    { name: 'StateView 100×10k (warm)', median_ms: warm.median_ms, cpu_ms: warm.cpu_ms, min_ms: warm.min_ms, runs: warm.runs, target: '< 2000 ms', met: warm.median_ms < 2000, note: 'verified cache' },
  ];
}

function filePlan(root: string, repo: string, size: number): Graph {
  const nodes: Node[] = [];
  for (let index = 0; index < size; index += 1) {
    nodes.push({
      id: `n${index}`, action: 'file.link', status: 'pending',
      slots: {
        source: { kind: 'immediate', value: path.join(repo, `src-${index % 100}`) },
        path: { kind: 'immediate', value: path.join(root, `d${index % 100}`, `f${index}`) },
      },
    });
  }
  return { version: '1', tool: 'writ', timestamp: '2026-11-01T00:00:00.000Z', state: 'pending', platform: { os: 'linux', arch: 'x64' }, context: { target_root: root }, nodes, edges: [] };
}

async function journalRows(work: string, size = 10_000, rounds = 5): Promise<BenchRow[]> {
  const repo = path.join(work, 'repo');
  fs.mkdirSync(repo, { recursive: true });
  for (let index = 0; index < 100; index += 1) fs.writeFileSync(path.join(repo, `src-${index}`), 'x');
  const registry = createDefaultRegistry([fileProvider]);
  const plain: number[] = [];
  const journalled: number[] = [];
  for (let round = 0; round < rounds + 1; round += 1) {
    // Interleaved, fresh target and state each time; round 0 is a warm-up.
    for (const withJournal of [false, true]) {
      const dir = fs.mkdtempSync(path.join(work, 'run-'));
      const store = new ReceiptStore({ stateDir: path.join(dir, 'state') });
      const plan = filePlan(path.join(dir, 'home'), repo, size);
      const started = performance.now();
      if (withJournal) {
        const run = await beginRecordedRun(store, plan);
        const report = await new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks] }).run(plan);
        await run.finish(report.graph);
      } else {
        const report = await new GraphExecutor(registry, { backups: backupStoreFor(store.layout, 'plain') }).run(plan);
        await store.write(report.graph);
      }
      const elapsed = performance.now() - started;
      if (round > 0) (withJournal ? journalled : plain).push(elapsed);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const overhead = (median(journalled) / median(plain) - 1) * 100;
  return [
    { name: `file run ${size / 1000}k, no journal`, median_ms: median(plain), runs: rounds, note: 'receipt written' },
    { name: `file run ${size / 1000}k, journal`, median_ms: median(journalled), runs: rounds, note: `overhead ${overhead.toFixed(1)} %` },
    { name: 'journal overhead', target: '< 15 %', met: overhead < 15, note: `${overhead.toFixed(1)} % (${TMP})` },
  ];
}

/** Runs the receipts benchmark and returns its rows (used by bench/run.ts). */
export async function runReceiptsBench(parts: readonly string[] = ['view', 'stateview', 'journal']): Promise<BenchRow[]> {
  const work = fs.mkdtempSync(path.join(TMP, 'writ-lore-bench-receipts-'));
  try {
    const rows: BenchRow[] = [];
    if (parts.includes('view')) rows.push(...(await viewRows(work)));
    if (parts.includes('stateview')) rows.push(...(await stateViewRows(work)));
    if (parts.includes('journal')) rows.push(...(await journalRows(work)));
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, async () => {
  process.stdout.write(`receipts benchmark: ${machineLine()}, on ${TMP}\n\n`);
  const parts = process.argv.slice(2);
  process.stdout.write(`${formatTable(await runReceiptsBench(parts.length === 0 ? undefined : parts))}\n`);
});
