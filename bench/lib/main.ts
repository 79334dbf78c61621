import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Runs `main` when the module at `moduleUrl` is the process's entry script. */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

/** One line describing the machine: Node version, cores, CPU model and load. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg().map((value) => value.toFixed(1)).join(' ');
  return `node ${process.version}, ${availableParallelism()} cores (${cpu}), load ${load}`;
}
