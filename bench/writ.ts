/**
 * writ apply benchmark (issue 6): `writ apply` against GNU Stow (`stow --no-folding`) and a raw
 * Node `symlinkSync` loop on synthetic trees of 1k, 10k and 50k plain files. Every tool runs as a
 * whole process (`node bin/writ.js`, `stow`, `node raw-link.mjs`), interleaved within each round,
 * on tmpfs (/dev/shm) when present; CPU and peak memory of each child come from `/usr/bin/time`.
 * Runnable standalone: `npm run build && node dist/bench/writ.js [1000 10000 50000]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countTree, RAW_LINK_SCRIPT, writeSyntheticTree } from './lib/link-tree.js';
import { machineLine, runIfMain } from './lib/main.js';
import { summarise, timeProcess, type ProcessSample, type ProcessTiming } from './lib/process-timing.js';
import { ensureStow, stowArgv, type StowAvailability } from './lib/stow.js';
import { formatTable, type BenchRow } from './lib/table.js';

const TMP = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const here = path.dirname(fileURLToPath(import.meta.url));
const WRIT = path.join(here, '..', '..', 'bin', 'writ.js');
const RECEIPTS = path.join(here, '..', '..', 'bin', 'receipts.js');

/** Tree sizes with their warm-up and timed rounds (50k is slow enough to take fewer). */
const SIZES: readonly { readonly files: number; readonly warmup: number; readonly runs: number }[] = [
  { files: 1_000, warmup: 1, runs: 7 },
  { files: 10_000, warmup: 1, runs: 5 },
  { files: 50_000, warmup: 1, runs: 3 },
];

/** The three tools compared; each deploys the same set of links. */
type Tool = 'writ' | 'stow' | 'raw';

/** Everything one size's runs share: the trees, the config dir (with a signing key), the env. */
interface Fixture {
  readonly files: number;
  readonly dir: string;
  /** The writ repository: `repo/Home/all/…`. */
  readonly repo: string;
  /** The same files as the Stow package `stow/pkg/…`. */
  readonly stowDir: string;
  readonly rawScript: string;
  readonly configDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stow: StowAvailability;
}

/** A label such as `10k`. */
const label = (files: number): string => `${files / 1000}k`;

function benchEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WRIT')));
  return { ...env, HOME: home, NO_COLOR: '1' };
}

function makeFixture(work: string, files: number, stow: StowAvailability): Fixture {
  const dir = path.join(work, label(files));
  const repo = path.join(dir, 'repo');
  writeSyntheticTree(path.join(repo, 'Home', 'all'), files);
  const stowDir = path.join(dir, 'stow');
  fs.cpSync(path.join(repo, 'Home', 'all'), path.join(stowDir, 'pkg'), { recursive: true });
  const rawScript = path.join(dir, 'raw-link.mjs');
  fs.writeFileSync(rawScript, RAW_LINK_SCRIPT);
  const configDir = path.join(dir, 'config');
  const env = benchEnv(path.join(dir, 'home'));
  fs.mkdirSync(path.join(dir, 'home'), { recursive: true });
  // Receipts are signed, as on a machine that ran `receipts keygen`.
  timeProcess([process.execPath, RECEIPTS, 'keygen', '--config-dir', configDir], { env });
  return { files, dir, repo, stowDir, rawScript, configDir, env, stow };
}

function writArgv(fixture: Fixture, target: string, state: string, extra: readonly string[] = []): string[] {
  const dirs = ['--repo', fixture.repo, '--target', target, '--state-dir', state, '--config-dir', fixture.configDir];
  return [process.execPath, WRIT, 'apply', ...dirs, '--quiet', ...extra];
}

/** The command deploying `fixture` into `target` with `tool` (undefined: Stow is missing). */
function deployArgv(fixture: Fixture, tool: Tool, target: string, state: string): string[] | undefined {
  switch (tool) {
    case 'writ':
      return writArgv(fixture, target, state);
    case 'stow':
      return fixture.stow.kind === 'available' ? stowArgv(fixture.stow.path, fixture.stowDir, target) : undefined;
    case 'raw':
      return [process.execPath, fixture.rawScript, path.join(fixture.repo, 'Home', 'all'), target];
    default:
      return tool satisfies never;
  }
}

/** A fresh, empty target (and writ state dir) for one run; prepared untimed. */
function freshRun(fixture: Fixture): { run: string; target: string; state: string } {
  const run = fs.mkdtempSync(path.join(fixture.dir, 'run-'));
  const target = path.join(run, 'target');
  fs.mkdirSync(target);
  return { run, target, state: path.join(run, 'state') };
}

function assertDeployed(fixture: Fixture, tool: Tool, target: string): void {
  const { links, other } = countTree(target);
  if (links !== fixture.files || other !== 0) throw new Error(`${tool} deployed ${links} links and ${other} other files, expected ${fixture.files} links`);
}

/** Fresh deployments, interleaved writ → stow → raw in every round; the first rounds warm up. */
function freshTimings(fixture: Fixture, warmup: number, runs: number): Map<Tool, ProcessSample[]> {
  const samples = new Map<Tool, ProcessSample[]>([['writ', []], ['stow', []], ['raw', []]]);
  for (let round = 0; round < warmup + runs; round += 1) {
    for (const tool of samples.keys()) {
      const { run, target, state } = freshRun(fixture);
      const argv = deployArgv(fixture, tool, target, state);
      if (argv !== undefined) {
        const sample = timeProcess(argv, { env: fixture.env });
        if (round === 0) assertDeployed(fixture, tool, target);
        if (round >= warmup) samples.get(tool)?.push(sample);
      }
      fs.rmSync(run, { recursive: true, force: true });
    }
  }
  return samples;
}

/** Re-running writ and Stow on targets they already deployed, interleaved; nothing changes. */
function noopTimings(fixture: Fixture, warmup: number, runs: number): Map<Tool, ProcessSample[]> {
  const tools: Tool[] = fixture.stow.kind === 'available' ? ['writ', 'stow'] : ['writ'];
  const deployed = new Map(tools.map((tool) => {
    const fresh = freshRun(fixture);
    const argv = deployArgv(fixture, tool, fresh.target, fresh.state) ?? [];
    timeProcess(argv, { env: fixture.env });
    return [tool, { ...fresh, argv }] as const;
  }));
  const samples = new Map<Tool, ProcessSample[]>(tools.map((tool) => [tool, []]));
  for (let round = 0; round < warmup + runs; round += 1) {
    for (const [tool, { argv }] of deployed) {
      const sample = timeProcess(argv, { env: fixture.env });
      if (round >= warmup) samples.get(tool)?.push(sample);
    }
  }
  for (const [tool, { run, target }] of deployed) {
    assertDeployed(fixture, tool, target);
    fs.rmSync(run, { recursive: true, force: true });
  }
  return samples;
}

/** `writ apply --dry-run` on an empty target with an empty state dir (it writes neither). */
function dryRunTimings(fixture: Fixture, warmup: number, runs: number): ProcessSample[] {
  const { run, target, state } = freshRun(fixture);
  const samples: ProcessSample[] = [];
  for (let round = 0; round < warmup + runs; round += 1) {
    const sample = timeProcess(writArgv(fixture, target, state, ['--dry-run']), { env: fixture.env });
    if (round >= warmup) samples.push(sample);
  }
  const written = countTree(target);
  if (written.links + written.other > 0 || fs.existsSync(path.join(state, 'receipts'))) throw new Error('writ apply --dry-run wrote to the target or state');
  fs.rmSync(run, { recursive: true, force: true });
  return samples;
}

function timingRow(name: string, timing: ProcessTiming, extra: Partial<BenchRow> = {}): BenchRow {
  const { median_ms, min_ms, runs, cpu_ms } = timing;
  return { name, median_ms, min_ms, runs, ...(cpu_ms === undefined ? {} : { cpu_ms }), ...extra };
}

/** A ratio row `a / b`; the target (a maximum) applies only when `target` is given. */
function ratioRow(name: string, a: ProcessTiming | undefined, b: ProcessTiming | undefined, target?: number): BenchRow {
  if (a === undefined || b === undefined) return { name, ...(target === undefined ? {} : { target: `≤ ${target}×` }), note: 'not measured (Stow unavailable)' };
  const ratio = a.median_ms / b.median_ms;
  const cpu = a.cpu_ms !== undefined && b.cpu_ms !== undefined ? `, cpu ${(a.cpu_ms / b.cpu_ms).toFixed(2)}×` : '';
  const note = `${ratio.toFixed(2)}×${cpu}`;
  return target === undefined ? { name, note } : { name, target: `≤ ${target}×`, met: ratio <= target, note };
}

function timingOf(samples: Map<Tool, ProcessSample[]>, tool: Tool): ProcessTiming | undefined {
  const list = samples.get(tool) ?? [];
  return list.length === 0 ? undefined : summarise(list);
}

/** All rows for one tree size; targets apply at 10k (times, ratios) and 50k (time, memory). */
function sizeRows(fixture: Fixture, warmup: number, runs: number): BenchRow[] {
  const size = label(fixture.files);
  const is10k = fixture.files === 10_000;
  const is50k = fixture.files === 50_000;
  const fresh = freshTimings(fixture, warmup, runs);
  const noop = noopTimings(fixture, warmup, runs);
  const dry = summarise(dryRunTimings(fixture, warmup, runs));
  const [writ, stow, raw] = (['writ', 'stow', 'raw'] as const).map((tool) => timingOf(fresh, tool));
  const [writNoop, stowNoop] = (['writ', 'stow'] as const).map((tool) => timingOf(noop, tool));
  const stowMissing = { note: 'not measured (Stow unavailable)' };
  const rows: BenchRow[] = [];
  if (writ !== undefined) {
    const timeTarget = is50k ? { target: '< 3000 ms', met: writ.median_ms < 3000 } : {};
    rows.push(timingRow(`writ apply fresh ${size}`, writ, { ...timeTarget, note: 'links + receipt + journal' }));
    if (is50k && writ.peak_mb !== undefined) rows.push({ name: `writ apply fresh ${size}, peak memory`, peak_mb: writ.peak_mb, target: '< 250 MB', met: writ.peak_mb < 250, note: 'largest of the runs, /usr/bin/time' });
  }
  rows.push(stow === undefined ? { name: `stow --no-folding fresh ${size}`, ...stowMissing } : timingRow(`stow --no-folding fresh ${size}`, stow));
  if (raw !== undefined) rows.push(timingRow(`raw node symlink loop ${size}`, raw));
  if (writNoop !== undefined) rows.push(timingRow(`writ apply no-op ${size}`, writNoop, { note: 'second apply, same target' }));
  rows.push(stowNoop === undefined ? { name: `stow no-op ${size}`, ...stowMissing } : timingRow(`stow no-op ${size}`, stowNoop));
  rows.push(timingRow(`writ apply --dry-run ${size}`, dry, is10k ? { target: '< 1000 ms', met: dry.median_ms < 1000 } : {}));
  rows.push(ratioRow(`ratio writ/raw fresh ${size}`, writ, raw, is10k ? 2 : undefined));
  rows.push(ratioRow(`ratio writ/stow fresh ${size}`, writ, stow, is10k ? 0.5 : undefined));
  rows.push(ratioRow(`ratio writ/stow no-op ${size}`, writNoop, stowNoop, is10k ? 0.3 : undefined));
  return rows;
}

/** Runs the writ apply benchmark (used by bench/run.ts); `sizes` defaults to 1k, 10k and 50k. */
export async function runWritBench(sizes: readonly number[] = SIZES.map((size) => size.files)): Promise<BenchRow[]> {
  const stow = ensureStow((line) => process.stderr.write(`${line}\n`));
  if (stow.kind === 'missing') process.stderr.write(`note: ${stow.reason}; Stow rows are reported as not measured\n`);
  const work = fs.mkdtempSync(path.join(TMP, 'writ-lore-bench-writ-'));
  try {
    const rows: BenchRow[] = [];
    for (const { files, warmup, runs } of SIZES.filter((size) => sizes.includes(size.files))) {
      process.stderr.write(`  writ bench: ${label(files)} files …\n`);
      const fixture = makeFixture(work, files, stow);
      rows.push(...sizeRows(fixture, warmup, runs));
      fs.rmSync(fixture.dir, { recursive: true, force: true });
    }
    const version = stow.kind === 'available' ? `GNU Stow ${stow.version}` : 'no Stow';
    rows.push({ name: 'writ bench setup', note: `${version}; whole processes on ${TMP}; cpu = the child's user+system (/usr/bin/time)` });
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, async () => {
  process.stdout.write(`writ apply benchmark: ${machineLine()}, on ${TMP}\n\n`);
  const sizes = process.argv.slice(2).map(Number);
  process.stdout.write(`${formatTable(await runWritBench(sizes.length === 0 ? undefined : sizes))}\n`);
  process.stdout.write(`\nafter: ${machineLine()}\n`);
});
