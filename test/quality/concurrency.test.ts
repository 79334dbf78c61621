import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/writ-helpers.js';
import {
  Gate,
  cleanUp,
  failpoints,
  journals,
  latestReceipt,
  receiptNames,
  run,
  seedWritHome,
  snapshotTarget,
  start,
  writSubject,
  type Subject,
} from './failure-harness.js';

/*
 * Two runs on one state dir (issue #8, item 3). The first `writ apply` is held at a gate
 * failpoint half-way through, so the second provably starts while the first holds the run lock
 * and has a live journal; no timers are involved.
 */

let subject: Subject;

beforeEach(async () => {
  subject = await writSubject();
  await seedWritHome(subject);
});

afterEach(async () => {
  await cleanUp(subject);
});

/** The lock file's holder pid, or undefined when there is no lock. */
async function lockHolder(): Promise<number | undefined> {
  const text = await fs.readFile(path.join(subject.state, 'lock'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as { pid: number }).pid;
}

describe('two writ runs on one state dir', () => {
  it('refuses the second apply (and recover, and lore) with one line naming the holder; the first completes untouched', async () => {
    const before = await snapshotTarget(subject);
    const gate = Gate.create(subject.dir);
    const first = start(subject, subject.runArgs, failpoints(gate.rule(`at=do,node=${subject.nodes.late}`)));
    const held = await gate.reached(first);
    const pid = first.child.pid;
    expect(await lockHolder()).toBe(pid);
    const journalled = await journals(subject);
    expect(journalled).toHaveLength(1);
    const midway = await snapshotTarget(subject);

    const lockLine = new RegExp(`^writ: error: ${subject.state}/lock: another writ run \\(pid ${pid}, started \\d\\d:\\d\\d:\\d\\d\\) holds the run lock$`, 'm');
    const second = await run(subject, subject.runArgs);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(lockLine);
    // A live run's journal is not an interrupted run: no advice to run `writ recover`.
    expect(second.stderr).not.toContain('interrupted');
    expect(second.stderr.trim().split('\n')).toHaveLength(2); // the error and its hint
    expect(second.stdout).toBe('');

    const recover = await run(subject, ['recover']);
    expect(recover.code).toBe(1);
    expect(recover.stderr).toMatch(lockLine);
    expect(await journals(subject)).toEqual(journalled);

    const lore = await run({ ...subject, tool: 'lore' }, ['install', 'greet', '--registry', path.join(ROOT, 'fixtures/registry'), '--prefix', path.join(subject.dir, 'prefix')]);
    expect(lore.code).toBe(1);
    expect(lore.stderr).toMatch(new RegExp(`another writ run \\(pid ${pid},`));
    expect(await fs.readdir(subject.dir)).not.toContain('prefix');

    expect(await snapshotTarget(subject)).toEqual(midway);
    await held.close();
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(await receiptNames(subject)).toHaveLength(1);
    expect((await latestReceipt(subject)).state).toBe('executed');
    expect(await journals(subject)).toEqual([]);
    expect(await lockHolder()).toBeUndefined();
    expect(await snapshotTarget(subject)).not.toEqual(before);

    const again = await run(subject, subject.runArgs);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    const status = await run(subject, ['status']);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).not.toMatch(/missing|modified|replaced/);
  });

  it('clears the stale lock of a SIGKILLed run, names it, and recover then rolls that run back', async () => {
    const before = await snapshotTarget(subject);
    const gate = Gate.create(subject.dir);
    const killed = start(subject, subject.runArgs, failpoints(gate.rule(`at=do,node=${subject.nodes.late}`)));
    const held = await gate.reached(killed);
    const pid = killed.child.pid;
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    await held.close();
    expect(await lockHolder()).toBe(pid);

    const stale = `cleared a stale run lock left by writ (pid ${pid}, started `;
    const blocked = await run(subject, subject.runArgs);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(stale);
    expect(blocked.stderr).toMatch(/error: \S+\.journal: an interrupted run \(\S+\.journal\) has not been recovered; nothing was changed/);
    expect(await lockHolder()).toBeUndefined();

    const recovered = await run(subject, ['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/rolled_back: \d+ undone/);
    expect(await snapshotTarget(subject)).toEqual(before);
    expect(await journals(subject)).toEqual([]);

    // A lock whose holder died before journalling anything is cleared the same way.
    await fs.writeFile(path.join(subject.state, 'lock'), `${JSON.stringify({ pid, started_at: '2026-01-01T00:00:00.000Z', tool: 'writ', hostname: os.hostname() })}\n`);
    const applied = await run(subject, subject.runArgs);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain(stale);
    expect((await latestReceipt(subject)).state).toBe('executed');
  });
});
