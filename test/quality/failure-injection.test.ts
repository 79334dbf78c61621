import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/index.js';
import type { Run } from '../e2e/writ-helpers.js';
import type { TreeSnapshot } from '../helpers/tree-snapshot.js';
import {
  Gate,
  failpoints,
  journals,
  latestReceipt,
  receiptNames,
  run,
  snapshotTarget,
  start,
  withSubject,
  type Started,
  type Subject,
} from './failure-harness.js';

/*
 * Failure injection end to end (issue #8, item 2): the built `writ apply` and `lore install`
 * with WRITLORE_FAILPOINTS making a chosen call fail, throw, hang or be killed. After each run
 * the receipt says `rolled_back` (or the journal is left and `recover` finishes it) and the
 * target — the user's own files included — is byte-identical to before.
 */

/** Asserts the run was rolled back: exit code, receipt, no journal left, and `before` on disk. */
async function expectRolledBack(subject: Subject, result: Run, before: TreeSnapshot, code: number): Promise<Graph> {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.code, result.stderr).toBe(code);
  const receipt = await latestReceipt(subject);
  expect(receipt.state).toBe('rolled_back');
  // Nodes without undo state (a render, a decryption) change nothing on disk and stay `completed`.
  const left = receipt.nodes.filter((node) => node.status === 'running' || (node.status === 'completed' && node.undo !== undefined));
  expect(left.map((node) => node.id)).toEqual([]);
  expect(await journals(subject)).toEqual([]);
  expect(await snapshotTarget(subject)).toEqual(before);
  return receipt;
}

function nodeOf(receipt: Graph, id: string) {
  const node = receipt.nodes.find((candidate) => candidate.id === id);
  if (node === undefined) throw new Error(`no node ${id} in the receipt`);
  return node;
}

/** The signals that cancel a run, with the exit code each gives. */
const SIGNALS = [
  { signal: 'SIGTERM', code: 143 },
  { signal: 'SIGINT', code: 130 },
] as const;

/** Starts the subject's run, holds it at the failpoint `where`, then lets it on to a hang only a signal ends. */
async function startHanging(subject: Subject, where: string): Promise<Started> {
  const gate = Gate.create(subject.dir);
  const started = start(subject, subject.runArgs, failpoints(gate.rule(where), `${where},effect=hang`));
  const held = await gate.reached(started);
  await held.close();
  return started;
}

// Every case has its own temp dirs and child processes, so the cases run concurrently.
describe.concurrent.each(['writ', 'lore'] as const)('%s with an injected failure', (tool) => {
  it.each([
    { what: 'a step failing before it starts', stage: 'do', node: 'late', effect: 'fail', says: /failed on purpose/ },
    { what: 'a step throwing a plain Error after journalling its undo state', stage: 'registered', node: 'copy', effect: 'throw', says: /threw on purpose/ },
    { what: 'a step failing after its effect (its own undo must run)', stage: 'done', node: 'early', effect: 'fail', says: /failed on purpose/ },
    { what: 'EACCES raised by a step', stage: 'registered', node: 'late', effect: 'EACCES', says: /EACCES/ },
  ] as const)('rolls back $what, and the receipt names the failure', ({ stage, node, effect, says }) => withSubject(tool, async (subject) => {
    const before = await snapshotTarget(subject);
    const id = subject.nodes[node];
    const result = await run(subject, subject.runArgs, failpoints(`at=${stage},node=${id},effect=${effect}`));
    const receipt = await expectRolledBack(subject, result, before, 1);
    expect(result.stderr + result.stdout).toMatch(says);
    expect(nodeOf(receipt, id).status).toBe('failed');
    expect(nodeOf(receipt, id).error).toMatch(says);
    expect(receipt.nodes.some((candidate) => candidate.status === 'compensated')).toBe(true);
  }));

  it('fails on the nth call of an action only (nth=2 of file.link)', () => withSubject(tool, async (subject) => {
    const before = await snapshotTarget(subject);
    const result = await run(subject, subject.runArgs, failpoints('at=do,action=file.link,nth=2,effect=fail'));
    const receipt = await expectRolledBack(subject, result, before, 1);
    const links = receipt.nodes.filter((node) => node.action === 'file.link' && node.status !== 'pending' && node.status !== 'skipped');
    expect(links.filter((node) => node.status === 'failed')).toHaveLength(1);
    expect(links.filter((node) => node.status === 'compensated')).toHaveLength(1);
  }));

  it.each(SIGNALS)('rolls back a step hanging until $signal, exiting $code', ({ signal, code }) => withSubject(tool, async (subject) => {
    const before = await snapshotTarget(subject);
    const started = await startHanging(subject, `at=registered,node=${subject.nodes.late}`);
    started.child.kill(signal);
    const result = await started.done;
    await expectRolledBack(subject, result, before, code);
    expect(result.stderr).toContain(`${signal} received: stopping and rolling back`);
    expect(result.stderr + result.stdout).toContain(`cancelled by ${signal}`);
    const receipt = await latestReceipt(subject);
    expect(nodeOf(receipt, subject.nodes.late).error).toContain(`cancelled by ${signal}`);
  }));

  it.each(SIGNALS)('stops in preflight on $signal, exiting $code with nothing written and no lock left', ({ signal, code }) => withSubject(tool, async (subject) => {
    const before = await snapshotTarget(subject);
    // Held in the first link's probe: preflight runs under the run lock, before any change.
    const started = await startHanging(subject, 'at=probe,action=file.link,nth=1');
    started.child.kill(signal);
    const result = await started.done;
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toContain(`${signal} received`);
    expect(result.stderr).toContain(`cancelled by ${signal}`);
    expect(result.stderr).toContain('stopped during preflight: nothing was changed');
    expect(await snapshotTarget(subject)).toEqual(before);
    expect(await receiptNames(subject)).toEqual([]);
    expect(await journals(subject)).toEqual([]);
    // The lock was released: the next run does not find (and clear) a stale one.
    await expect(fs.lstat(path.join(subject.state, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  }));

  it(`ends 'interrupted' (exit 5) when an undo fails, and '${tool} recover' finishes the rollback`, () => withSubject(tool, async (subject) => {
    const before = await snapshotTarget(subject);
    const stuck = tool === 'writ' ? subject.nodes.early : 'hello-tool.install.2.link';
    const result = await run(subject, subject.runArgs, failpoints(
      `at=do,node=${subject.nodes.late},effect=fail`,
      `at=undo,node=${stuck},effect=fail`,
    ));
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr + result.stdout).toContain(`could not undo "${stuck}"`);
    expect(result.stderr + result.stdout).toContain(`once the cause is fixed, '${tool} recover' finishes`);
    const receipt = await latestReceipt(subject);
    expect(receipt.state).toBe('interrupted');
    expect(nodeOf(receipt, stuck).status).toBe('completed');
    expect(await snapshotTarget(subject)).not.toEqual(before);

    const recovered = await run(subject, ['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/rolled_back.*1 undone/);
    expect(await snapshotTarget(subject)).toEqual(before);
    expect(await journals(subject)).toEqual([]);
    const finished = await latestReceipt(subject);
    expect(finished.state).toBe('executed');
    expect(finished.context.settings).toMatchObject({ operation: 'rollback', undo_of: (await receiptNames(subject))[0]?.replace(/\.yaml$/, '') });

    const again = await run(subject, ['recover']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to recover');
  }));

  it(`leaves the journal when killed during the rollback, and '${tool} recover' finishes it`, () => withSubject(tool, async (subject) => {
    const before = await snapshotTarget(subject);
    const gate = Gate.create(subject.dir);
    const started = start(subject, subject.runArgs, failpoints(
      `at=do,node=${subject.nodes.late},effect=fail`,
      gate.rule(`at=undo,node=${subject.nodes.early}`),
    ));
    const held = await gate.reached(started);
    started.child.kill('SIGKILL');
    expect((await started.done).signal).toBe('SIGKILL');
    await held.close();
    expect(await journals(subject)).toHaveLength(1);
    expect(await receiptNames(subject)).toEqual([]);
    expect(await snapshotTarget(subject)).not.toEqual(before);

    const blocked = await run(subject, subject.runArgs);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/an interrupted run \(\S+\.journal\) has not been recovered; nothing was changed/);

    const recovered = await run(subject, ['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/rolled_back/);
    expect((await latestReceipt(subject)).state).toBe('rolled_back');
    expect(await journals(subject)).toEqual([]);
    expect(await snapshotTarget(subject)).toEqual(before);
  }));
});
