import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Run } from '../e2e/writ-helpers.js';
import { snapshotTree, type TreeSnapshot } from '../helpers/tree-snapshot.js';
import {
  Gate,
  canChattr,
  canMountTmpfs,
  cleanUp,
  failpoints,
  fillUp,
  journals,
  latestReceipt,
  loreSubject,
  mountTmpfs,
  run,
  seedPrefix,
  seedWritHome,
  snapshotTarget,
  start,
  writSubject,
  type Subject,
} from './failure-harness.js';

/*
 * The filesystem failing under a run (issue #8, item 2): the disk full for real (a small
 * tmpfs), a target the process may not write (an immutable directory), and a target directory
 * replaced by a file while the run is held at a gate. Where this machine does not allow the
 * real thing (no root, no tmpfs, no chattr), a failpoint raises the same errno instead, and the
 * test's name says which one ran.
 */

const TMPFS = canMountTmpfs();
const CHATTR = canChattr();

type Tool = Subject['tool'];

/** Steps that put the machine back (unmount, chattr -i), run after the case, newest first. */
type Restore = Array<() => void>;

/**
 * Runs `body` with a fresh subject of `tool`: `prepareTarget` first (a mount goes on the empty
 * target), then the user's files; afterwards `restore`'s steps and the temp dirs are undone.
 */
async function withTarget(
  tool: Tool,
  prepareTarget: (target: string, restore: Restore) => void,
  body: (made: Subject, restore: Restore) => Promise<void>,
): Promise<void> {
  const made = tool === 'writ' ? await writSubject() : await loreSubject();
  const restore: Restore = [];
  try {
    prepareTarget(made.target, restore);
    await (tool === 'writ' ? seedWritHome(made) : seedPrefix(made));
    await body(made, restore);
  } finally {
    for (const step of restore.reverse()) step();
    await cleanUp(made);
  }
}

async function expectRolledBack(made: Subject, result: Run, before: TreeSnapshot, says: RegExp): Promise<void> {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr + result.stdout).toMatch(says);
  const receipt = await latestReceipt(made);
  expect(receipt.state).toBe('rolled_back');
  const failed = receipt.nodes.filter((node) => node.status === 'failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]?.error).toMatch(says);
  expect(await journals(made)).toEqual([]);
  expect(await snapshotTarget(made)).toEqual(before);
}

// Every case has its own temp dirs, mounts and children, so the cases run concurrently.
describe.concurrent.each(['writ', 'lore'] as const)('%s when the filesystem fails', (tool) => {
  it(TMPFS ? 'rolls back when the target runs out of space (ENOSPC, real: a full tmpfs)' : 'rolls back on ENOSPC (simulated by a failpoint: mounting a tmpfs is not permitted here)', () => withTarget(tool, (target, restore) => {
    if (TMPFS) restore.push(mountTmpfs(target, '256k'));
  }, async (made) => {
    let env: NodeJS.ProcessEnv = failpoints(`at=registered,node=${made.nodes.copy},effect=ENOSPC`);
    if (TMPFS) {
      env = {};
      await fillUp(made.target, 'filler');
      // writ: full, so the first file written fails; lore: room for hello-tool but not greet.
      if (tool === 'lore') await fs.truncate(path.join(made.target, 'filler'), (await fs.stat(path.join(made.target, 'filler'))).size - 4 * 4096);
    }
    const before = await snapshotTarget(made);
    const result = await run(made, made.runArgs, env);
    await expectRolledBack(made, result, before, /ENOSPC/);
    const receipt = await latestReceipt(made);
    expect(receipt.nodes.some((node) => node.status === 'compensated')).toBe(true);
  }));

  it(CHATTR ? 'rolls back when a target directory may not be written (real: chattr +i)' : 'rolls back on EACCES (simulated by a failpoint: chattr is not available here)', () => withTarget(tool, () => undefined, async (made, restore) => {
    const locked = tool === 'writ' ? path.join(made.target, '.config', 'git') : path.join(made.target, 'bin');
    let env: NodeJS.ProcessEnv = failpoints(`at=registered,node=${tool === 'writ' ? `link:${locked}/attributes` : 'hello-tool.install.2.link'},effect=EACCES`);
    if (CHATTR) {
      env = {};
      execFileSync('chattr', ['+i', locked]);
      restore.push(() => execFileSync('chattr', ['-i', locked]));
    }
    const before = await snapshotTarget(made);
    const result = await run(made, made.runArgs, env);
    await expectRolledBack(made, result, before, CHATTR ? /EPERM|EACCES/ : /EACCES/);
    const receipt = await latestReceipt(made);
    expect(receipt.nodes.some((node) => node.status === 'compensated')).toBe(true);
  }));

  it('rolls back when a directory it deploys into is replaced by a file mid-run, leaving that file alone', () => withTarget(tool, () => undefined, async (made) => {
    const dir = tool === 'writ' ? path.join(made.target, '.config', 'git') : path.join(made.target, 'bin');
    const next = tool === 'writ' ? `link:${dir}/ignore` : 'greet.install.2.link';
    const before = await snapshotTarget(made);
    const gate = Gate.create(made.dir);
    const started = start(made, made.runArgs, failpoints(gate.rule(`at=do,node=${next}`)));
    const held = await gate.reached(started);
    // The run has already put things into `dir`; the user replaces the whole directory by a file.
    await fs.rm(dir, { recursive: true });
    await fs.writeFile(dir, 'a file where the directory was\n', { mode: 0o600 });
    const replaced = await snapshotTree(path.dirname(dir));
    await held.close();
    const result = await started.done;

    const name = path.relative(made.target, dir);
    const expected: Record<string, unknown> = Object.fromEntries(
      Object.entries(before).filter(([key]) => key !== name && !key.startsWith(`${name}/`)),
    );
    expected[name] = replaced[path.basename(dir)];
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const receipt = await latestReceipt(made);
    expect(receipt.state).toBe('rolled_back');
    expect(receipt.nodes.find((node) => node.id === next)?.status).toBe('failed');
    expect(receipt.nodes.find((node) => node.id === next)?.error).toMatch(/ENOTDIR|not a directory/);
    expect(await journals(made)).toEqual([]);
    expect(await snapshotTarget(made)).toEqual(Object.fromEntries(Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))));
  }));
});
