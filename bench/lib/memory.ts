import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** The program used to read a child's peak resident memory. */
const TIME = '/usr/bin/time';

/** Peak resident set size of a child process, and how it was read. */
export interface PeakMemory {
  readonly peak_mb: number;
  readonly method: 'usr-bin-time' | 'vmhwm';
}

/** This process's peak resident set size (VmHWM) in MB, from /proc/self/status. */
export function ownPeakMemoryMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error('no VmHWM line in /proc/self/status');
  return Number(match[1]) / 1024;
}

function run(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Runs `node <script> ...args` as a child and returns its peak memory. Uses `/usr/bin/time -f %M`
 * (STYLE.md: a child's peak read by its parent inherits the parent's); without it, the child
 * must print `{"vmhwm_mb": N}` as its last stdout line (see {@link ownPeakMemoryMb}).
 */
export async function childPeakMemory(script: string, args: readonly string[]): Promise<PeakMemory> {
  if (existsSync(TIME)) {
    const { stderr } = await run(TIME, ['-f', '%M', process.execPath, script, ...args]);
    const lines = stderr.trim().split('\n');
    const kilobytes = Number(lines[lines.length - 1]);
    if (!Number.isFinite(kilobytes)) throw new Error(`unexpected ${TIME} output: ${stderr.trim()}`);
    return { peak_mb: kilobytes / 1024, method: 'usr-bin-time' };
  }
  const { stdout } = await run(process.execPath, [script, ...args]);
  const last = stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(last) as { vmhwm_mb?: unknown };
  if (typeof parsed.vmhwm_mb !== 'number') throw new Error(`child printed no vmhwm_mb: ${last}`);
  return { peak_mb: parsed.vmhwm_mb, method: 'vmhwm' };
}
