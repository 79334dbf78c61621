import { describe, expect, it } from 'vitest';
import { runProcessTree, type OutputStream } from '../../src/actions/process-tree.js';
import { manualClock } from '../helpers/fake-action-context.js';
import { isAlive } from '../helpers/processes.js';

/**
 * A killed process closes its pipes a moment before the kernel marks it dead, so tests poll
 * (checking every 5 ms, giving up after 5 s) rather than sleep.
 */
const POLL = { interval: 5, timeout: 5000 };

/** Collects lines and resolves `first` with the first stdout line. */
function lineCollector(): {
  lines: [OutputStream, string][];
  onLine: (stream: OutputStream, line: string) => void;
  first: Promise<string>;
} {
  const lines: [OutputStream, string][] = [];
  let resolveFirst: (line: string) => void = () => undefined;
  const first = new Promise<string>((resolve) => (resolveFirst = resolve));
  return {
    lines,
    first,
    onLine: (stream, line) => {
      lines.push([stream, line]);
      if (stream === 'stdout') resolveFirst(line);
    },
  };
}

describe('runProcessTree', () => {
  it('runs an argument vector without a shell and reports exit code and output tails', async () => {
    const out = lineCollector();
    const outcome = await runProcessTree(['printf', '%s\\n', 'a b', '$HOME'], { onLine: out.onLine });
    expect(outcome).toEqual({ kind: 'exited', code: 0, stdoutTail: 'a b\n$HOME\n', stderrTail: '' });
    expect(out.lines).toEqual([
      ['stdout', 'a b'],
      ['stdout', '$HOME'],
    ]);
  });

  it('reports a non-zero exit code and keeps stderr apart from stdout', async () => {
    const outcome = await runProcessTree(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(outcome).toEqual({ kind: 'exited', code: 3, stdoutTail: 'out\n', stderrTail: 'err\n' });
  });

  it('emits a last line without a newline and lines split across chunks', async () => {
    const out = lineCollector();
    await runProcessTree(['sh', '-c', 'printf "par"; printf "tial\\nend"'], { onLine: out.onLine });
    expect(out.lines).toEqual([
      ['stdout', 'partial'],
      ['stdout', 'end'],
    ]);
  });

  it('keeps only the last tailBytes bytes of each stream', async () => {
    const outcome = await runProcessTree(['sh', '-c', 'seq 1 2000'], { tailBytes: 10 });
    expect(outcome).toMatchObject({ kind: 'exited', stdoutTail: '\n1999\n2000\n'.slice(-10) });
  });

  it('uses the given environment to run the program and find it on PATH', async () => {
    const outcome = await runProcessTree(['sh', '-c', 'echo "$GREETING"'], {
      env: { PATH: process.env.PATH, GREETING: 'hello' },
    });
    expect(outcome).toMatchObject({ kind: 'exited', code: 0, stdoutTail: 'hello\n' });
  });

  it('reports a program that does not exist as spawn-failed', async () => {
    const outcome = await runProcessTree(['/nonexistent/writ-lore-tool']);
    expect(outcome.kind).toBe('spawn-failed');
  });

  it('kills the whole process tree, grandchildren included, on abort', async () => {
    const controller = new AbortController();
    const out = lineCollector();
    const running = runProcessTree(['sh', '-c', 'sleep 30 & echo $!; sleep 30; wait'], {
      signal: controller.signal,
      onLine: out.onLine,
      clock: manualClock(),
    });
    const grandchild = Number(await out.first);
    expect(isAlive(grandchild)).toBe(true);
    controller.abort(new Error('user pressed ^C'));
    const outcome = await running;
    expect(outcome).toMatchObject({ kind: 'aborted' });
    await expect.poll(() => isAlive(grandchild), POLL).toBe(false);
  });

  it('escalates to SIGKILL after the grace period when the tree ignores SIGTERM', async () => {
    const controller = new AbortController();
    const clock = manualClock();
    const out = lineCollector();
    const running = runProcessTree(['sh', '-c', 'trap "" TERM; echo $$; exec sleep 30'], {
      signal: controller.signal,
      onLine: out.onLine,
      clock,
      graceMs: 5000,
    });
    const pid = Number(await out.first);
    controller.abort();
    await clock.whenSleeping();
    expect(isAlive(pid)).toBe(true);
    clock.fire();
    expect(await running).toMatchObject({ kind: 'aborted' });
    await expect.poll(() => isAlive(pid), POLL).toBe(false);
  });

  it('kills the tree when the timeout elapses on the injected clock', async () => {
    const clock = manualClock();
    const out = lineCollector();
    const running = runProcessTree(['sh', '-c', 'echo $$; exec sleep 30'], { clock, timeoutMs: 30_000, onLine: out.onLine });
    const pid = Number(await out.first);
    expect(clock.pending).toBe(1);
    clock.fire();
    expect(await running).toMatchObject({ kind: 'timed-out', timeoutMs: 30_000 });
    await expect.poll(() => isAlive(pid), POLL).toBe(false);
  });

  it('does not start anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await runProcessTree(['sh', '-c', 'echo ran'], { signal: controller.signal });
    expect(outcome).toMatchObject({ kind: 'aborted', stdoutTail: '' });
  });

  it('cancels its timers once the process has exited', async () => {
    const clock = manualClock();
    await runProcessTree(['true'], { clock, timeoutMs: 1000 });
    expect(clock.pending).toBe(0);
  });
});
