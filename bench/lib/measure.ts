import { performance } from 'node:perf_hooks';

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Untimed runs first, to warm the JIT and caches (default 2). */
  readonly warmup?: number;
  /** Timed runs; the median is reported (default 7, at least 5 recommended). */
  readonly runs?: number;
}

/** Timings of one measured operation, in milliseconds. */
export interface Timing {
  readonly median_ms: number;
  /** Median CPU time (user + system) of this process per run: steadier than wall time on a loaded machine. */
  readonly cpu_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly runs: number;
}

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/**
 * Times `operation` (sync or async) after a warm-up and returns the median of the runs.
 * `prepare` runs untimed before each run and hands its result to `operation`.
 */
export async function measure<T>(
  prepare: () => T,
  operation: (input: T) => unknown,
  options: MeasureOptions = {},
): Promise<Timing> {
  const { warmup = 2, runs = 7 } = options;
  for (let index = 0; index < warmup; index += 1) await operation(prepare());
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const input = prepare();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await operation(input);
    samples.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpuSamples.push((cpu.user + cpu.system) / 1000);
  }
  return { median_ms: median(samples), cpu_ms: median(cpuSamples), min_ms: Math.min(...samples), max_ms: Math.max(...samples), runs };
}
