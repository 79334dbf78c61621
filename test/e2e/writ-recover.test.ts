import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import fs, { watch } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGraph } from '../../src/index.js';
import { finished, makeSandbox, receiptNames, snapshotHome, startWrit, writ, type Sandbox } from './writ-helpers.js';

/*
 * kill -9 in the middle of `writ apply`, then `writ recover`. The kill point is exact, with no
 * timers: the age identity is a FIFO, so every read of it blocks until this test opens the
 * FIFO for writing. The predictions read it once before the run (the test feeds it the
 * identity), then the test waits (fs.watch, no polling) for the run's journal to appear; the
 * next read is the secret.decrypt node in the middle of the run, after the links before it are
 * done and journalled — the child is killed right there. (Opening the next writer before the
 * journal exists could pair with the first reader still draining the FIFO.)
 */

let box: Sandbox;

beforeEach(async () => {
  box = await makeSandbox();
});

afterEach(async () => {
  await fs.rm(box.dir, { recursive: true, force: true });
});

async function journals(): Promise<string[]> {
  const names = await fs.readdir(path.join(box.state, 'receipts')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.journal'));
}

/** Resolves when a journal exists under the state dir (watching the sandbox, not polling). */
async function journalCreated(): Promise<void> {
  const stop = new AbortController();
  const watcher = watch(box.dir, { recursive: true, signal: stop.signal });
  try {
    if ((await journals()).length > 0) return;
    for await (const _event of watcher) if ((await journals()).length > 0) return;
  } finally {
    stop.abort();
  }
}

describe('writ recover after kill -9', () => {
  it('rolls the interrupted run back and restores the home byte for byte', async () => {
    const fifo = path.join(box.dir, 'identity.fifo');
    execFileSync('mkfifo', [fifo]);
    const identity = await fs.readFile(box.identity);
    await fs.writeFile(path.join(box.home, '.bashrc'), 'the user bashrc\n', { mode: 0o640 });
    const before = await snapshotHome(box);

    const child = startWrit(box, ['apply', ...box.flags, '--identity', fifo, '--conflict', 'backup', '--jobs', '1', 'all', 'shell', 'git', 'secrets']);
    const exit = finished(child);
    let isKilled = false;
    // If the child exits early, unblock a pending open-for-write so the test fails instead of hanging.
    child.on('exit', () => {
      if (!isKilled) void fs.open(fifo, constants.O_RDONLY | constants.O_NONBLOCK).then((handle) => handle.close());
    });
    const predicting = await fs.open(fifo, 'w');
    expect(await journals()).toEqual([]);
    await predicting.write(identity);
    await predicting.close();
    await journalCreated();
    const running = await fs.open(fifo, 'w');
    child.kill('SIGKILL');
    isKilled = true;
    await running.close();
    const killed = await exit;
    expect(killed.signal).toBe('SIGKILL');
    expect(await journals()).toHaveLength(1);
    expect(await snapshotHome(box)).not.toEqual(before);

    const refused = await writ(box, ['apply', ...box.flags, '--identity', box.identity, 'shell']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("run 'writ recover'");
    const status = await writ(box, ['status']);
    expect(status.stderr).toMatch(/warning: an interrupted run \(writ-\S+\.journal\) has not been recovered/);

    const recovered = await writ(box, ['recover']);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/rolled_back: \d+ undone/);
    expect(await snapshotHome(box)).toEqual(before);
    expect(await journals()).toEqual([]);
    const [receipt] = await receiptNames(box);
    const graph = parseGraph(await fs.readFile(path.join(box.state, 'receipts', receipt ?? ''), 'utf8'));
    expect(graph.state).toBe('rolled_back');

    const again = await writ(box, ['recover']);
    expect(again.stdout).toContain('nothing to recover');
  });
});

describe('writ apply interrupted by SIGINT', () => {
  it('rolls back, ignores a second SIGINT while compensating, and exits 130 with a rolled_back receipt', async () => {
    const fifo = path.join(box.dir, 'identity.fifo');
    execFileSync('mkfifo', [fifo]);
    const identity = await fs.readFile(box.identity);
    await fs.writeFile(path.join(box.home, '.bashrc'), 'the user bashrc\n', { mode: 0o640 });
    const before = await snapshotHome(box);
    const child = startWrit(box, ['apply', ...box.flags, '--identity', fifo, '--conflict', 'backup', '--jobs', '1', 'all', 'shell', 'git', 'secrets']);
    const exit = finished(child);
    const predicting = await fs.open(fifo, 'w');
    await predicting.write(identity);
    await predicting.close();
    await journalCreated();
    // The run is now blocked reading the identity inside secret.decrypt, mid-run.
    const running = await fs.open(fifo, 'w');
    child.kill('SIGINT');
    await stderrContains(child, 'SIGINT received: stopping');
    child.kill('SIGINT');
    await stderrContains(child, 'SIGINT received again');
    await running.write(identity);
    await running.close();
    const result = await exit;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('the run was cancelled by SIGINT');
    expect(result.stderr).toContain('rolled back: every change of this run was undone');
    expect(await snapshotHome(box)).toEqual(before);
    expect(await journals()).toEqual([]);
    const [receipt] = await receiptNames(box);
    const graph = parseGraph(await fs.readFile(path.join(box.state, 'receipts', receipt ?? ''), 'utf8'));
    expect(graph.state).toBe('rolled_back');
  });
});

/** Resolves once the child's stderr has contained `text`. */
function stderrContains(child: ReturnType<typeof startWrit>, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      child.stderr.off('data', onData);
      resolve();
    };
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before printing "${text}": ${seen}`)));
  });
}
