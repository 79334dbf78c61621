import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './measure.js';

/** The program that reports a child's CPU time and peak resident memory. */
const TIME = '/usr/bin/time';

/** One run of a whole process. */
export interface ProcessSample {
  readonly wall_ms: number;
  /** User + system CPU of the child (10 ms resolution), when `/usr/bin/time` exists. */
  readonly cpu_ms?: number;
  /** Peak resident memory of the child in MB, when `/usr/bin/time` exists. */
  readonly peak_mb?: number;
}

/** Medians of several {@link ProcessSample}s; `peak_mb` is the largest peak seen. */
export interface ProcessTiming {
  readonly median_ms: number;
  readonly min_ms: number;
  readonly runs: number;
  readonly cpu_ms?: number;
  readonly peak_mb?: number;
}

function readTimeReport(file: string): { cpu_ms: number; peak_mb: number } | undefined {
  // GNU time puts "Command exited with non-zero status N" first on failure; ours is the last line.
  const last = fs.readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  const [user, system, kilobytes] = last.split(' ').map(Number);
  if (user === undefined || system === undefined || kilobytes === undefined || [user, system, kilobytes].some(Number.isNaN)) return undefined;
  return { cpu_ms: (user + system) * 1000, peak_mb: kilobytes / 1024 };
}

/**
 * Runs `argv` as a whole process (stdout discarded) and returns its wall time, measured by this
 * process around the spawn, plus the child's CPU and peak memory from `/usr/bin/time -f` when it
 * exists (STYLE.md: never read a child's peak from a Node parent). Throws on a non-zero exit.
 */
export function timeProcess(argv: readonly string[], options: { readonly env?: NodeJS.ProcessEnv } = {}): ProcessSample {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('timeProcess: empty argv');
  const report = fs.existsSync(TIME) ? path.join(os.tmpdir(), `writ-lore-bench-time-${process.pid}.txt`) : undefined;
  const full = report === undefined ? [command, ...args] : [TIME, '-f', '%U %S %M', '-o', report, command, ...args];
  const start = performance.now();
  const result = spawnSync(full[0] ?? command, full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  const wall_ms = performance.now() - start;
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited with ${String(result.status)}: ${result.stderr.toString().trim().slice(-2000)}`);
  if (report === undefined) return { wall_ms };
  const measured = readTimeReport(report);
  fs.rmSync(report, { force: true });
  return measured === undefined ? { wall_ms } : { wall_ms, ...measured };
}

/** Medians (wall, CPU), the fastest run and the largest peak of `samples`. */
export function summarise(samples: readonly ProcessSample[]): ProcessTiming {
  const walls = samples.map((sample) => sample.wall_ms);
  const cpus = samples.flatMap((sample) => (sample.cpu_ms === undefined ? [] : [sample.cpu_ms]));
  const peaks = samples.flatMap((sample) => (sample.peak_mb === undefined ? [] : [sample.peak_mb]));
  return {
    median_ms: median(walls),
    min_ms: Math.min(...walls),
    runs: samples.length,
    ...(cpus.length === 0 ? {} : { cpu_ms: median(cpus) }),
    ...(peaks.length === 0 ? {} : { peak_mb: Math.max(...peaks) }),
  };
}
