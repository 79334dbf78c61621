import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { constants, watch as watchDir } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGraph } from '../../src/index.js';
import { finished, makeSandbox, receiptNames, sandboxEnv, snapshotHome, writ, type Sandbox } from './writ-helpers.js';

/*
 * kill -9 in the middle of `writ rollback`, then `writ recover`. The kill point is exact, with
 * no timers: a gate failpoint (WRITLORE_FAILPOINTS, src/actions/failpoints.ts) makes every
 * replayed undo read a FIFO right after journalling its own undo state, so each undo waits until
 * this test opens the FIFO for writing. The test lets the
 * first undo through, waits (fs.watch on the receipts directory, no polling) until the journal holds the second undo's
 * state, then kills the child blocked at the second gate.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const PROJECTS = ['all', 'shell', 'git', 'secrets'];
let box: Sandbox;

beforeEach(async () => {
  box = await makeSandbox();
});

afterEach(async () => {
  await fs.rm(box.dir, { recursive: true, force: true });
});

async function journalText(): Promise<string> {
  const dir = path.join(box.state, 'receipts');
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.journal'));
  const texts = await Promise.all(names.map((name) => fs.readFile(path.join(dir, name), 'utf8').catch(() => '')));
  return texts.join('');
}

/**
 * Resolves once the journal holds `count` undo-registered records, watching the receipts
 * directory (started before the first look, so no write can slip between the two); rejects if
 * the child exits first.
 */
function undoStatesJournalled(count: number, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = async (): Promise<void> => {
      if ((await journalText()).split('"undo-registered"').length - 1 < count) return;
      watcher.close();
      resolve();
    };
    const watcher = watchDir(path.join(box.state, 'receipts'), () => void check());
    child.once('exit', () => {
      watcher.close();
      reject(new Error('writ rollback exited before reaching the second undo'));
    });
    void check();
  });
}

describe('writ recover after kill -9 during writ rollback', () => {
  it('puts back what the rollback had undone, so the home is exactly as the apply left it, and a new rollback then completes', async () => {
    await fs.writeFile(path.join(box.home, '.bashrc'), 'the user bashrc\n', { mode: 0o640 });
    const before = await snapshotHome(box);
    expect((await writ(box, ['apply', ...box.flags, '--identity', box.identity, '--conflict', 'backup', ...PROJECTS])).code).toBe(0);
    const applied = await snapshotHome(box);

    const fifo = path.join(box.dir, 'undo.fifo');
    execFileSync('mkfifo', [fifo]);
    const env = { ...sandboxEnv(box), WRITLORE_FAILPOINTS: `at=registered,action=receipt.undo,effect=gate,fifo=${fifo}` };
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/writ.js'), 'rollback'], { cwd: box.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = finished(child);
    let isKilled = false;
    child.on('exit', () => {
      if (!isKilled) void fs.open(fifo, constants.O_RDONLY | constants.O_NONBLOCK).then((handle) => handle.close());
    });
    const first = await fs.open(fifo, 'w');
    await first.close();
    await undoStatesJournalled(2, child);
    child.kill('SIGKILL');
    isKilled = true;
    expect((await exit).signal).toBe('SIGKILL');
    const half = await snapshotHome(box);
    expect(half).not.toEqual(applied);
    expect(half).not.toEqual(before);

    const recovered = await writ(box, ['recover']);
    expect(recovered.code).toBe(0);
    expect(await snapshotHome(box)).toEqual(applied);
    expect(await journalText()).toBe('');
    const names = await receiptNames(box);
    const graph = parseGraph(await fs.readFile(path.join(box.state, 'receipts', names.at(-1) ?? ''), 'utf8'));
    expect(graph.state).toBe('rolled_back');
    expect(graph.context.settings?.['operation']).toBe('rollback');

    const rollback = await writ(box, ['rollback']);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(/rolled back writ-\S+: 9 undone/);
    expect(await snapshotHome(box)).toEqual(before);
  });
});
