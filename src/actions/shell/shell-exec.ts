import { lstat } from 'node:fs/promises';
import * as path from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import { runEnvironment } from '../host-facts.js';
import { NotCompensableError } from '../not-compensable.js';
import type { ActionContext, ActionOutput, CompensableAction, ProbeOutcome } from '../types.js';
import { parseUndoState, readShellCommand, undoEnvironment, undoStateFor, type ShellCommand } from './command-slots.js';
import { runCommand } from './run-command.js';

/** Bytes of stdout handed on as `stdout_tail`. */
const STDOUT_TAIL_BYTES = 4096;

/**
 * `shell.exec`: runs `argv` (no shell) or `command` (through `/bin/sh -c`). When every path in
 * `creates` exists already the step is done and does not run (Ansible's `creates:`). A non-zero
 * exit fails with the tail of stderr; on abort the whole process tree is killed. Undo runs the
 * `undo` argv; without one the step cannot be undone (`NotCompensableError`).
 */
export const shellExec: CompensableAction = {
  name: 'shell.exec',
  spec: { required: [], optional: ['argv', 'command', 'cwd', 'env', 'creates', 'undo', 'timeout'] },

  async do(ctx, slots): Promise<ActionOutput> {
    const command = readShellCommand(slots, ctx.nodeId);
    if (await allExist(command.creates, command.cwd)) {
      ctx.log.info(`skipped "${command.display}": everything it creates exists already`);
      return { result: { exit_code: 0, stdout_tail: '', skipped: true } };
    }
    await assertDirectory(command.cwd);
    const undo = undoStateFor(command);
    await ctx.registerUndo(undo);
    const outcome = await runCommand({
      argv: command.argv,
      display: command.display,
      env: { ...runEnvironment(ctx.data), ...command.env },
      signal: ctx.signal,
      clock: ctx.clock,
      log: ctx.log,
      tailBytes: STDOUT_TAIL_BYTES,
      ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
      ...(command.timeoutMs === undefined ? {} : { timeoutMs: command.timeoutMs }),
    });
    await warnMissingCreates(ctx, command);
    return { result: { exit_code: outcome.exitCode, stdout_tail: outcome.stdoutTail }, undo };
  },

  async undo(ctx, state): Promise<void> {
    const undo = parseUndoState(state);
    if (undo.kind === 'none') {
      throw new NotCompensableError(`shell.exec cannot undo "${undo.command}": the node has no undo command`, {
        hint: 'undo its effects by hand, or give the node an "undo" argv',
      });
    }
    await runCommand({
      argv: undo.argv,
      env: undoEnvironment(undo.env, runEnvironment(ctx.data)),
      signal: ctx.signal,
      clock: ctx.clock,
      log: ctx.log,
      ...(undo.cwd === null ? {} : { cwd: undo.cwd }),
    });
  },

  async probe(ctx, slots): Promise<ProbeOutcome> {
    const command = readShellCommand(slots, ctx.nodeId);
    if (await allExist(command.creates, command.cwd)) {
      return { kind: 'ok-already', detail: `creates ${command.creates.join(', ')}` };
    }
    return { kind: 'create', detail: `would run "${command.display}"` };
  },
};

/** True when `paths` is non-empty and every one exists (relative paths are taken from `cwd`). */
async function allExist(paths: readonly string[], cwd: string | undefined): Promise<boolean> {
  if (paths.length === 0) return false;
  for (const p of paths) if (!(await exists(path.resolve(cwd ?? '.', p)))) return false;
  return true;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function assertDirectory(cwd: string | undefined): Promise<void> {
  if (cwd === undefined) return;
  const stat = await lstat(cwd).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (stat === undefined || !stat.isDirectory()) {
    throw new WritLoreError('action-failed', `working directory ${cwd} does not exist or is not a directory`, { path: cwd });
  }
}

async function warnMissingCreates(ctx: ActionContext, command: ShellCommand): Promise<void> {
  for (const p of command.creates) {
    if (!(await exists(path.resolve(command.cwd ?? '.', p)))) {
      ctx.log.warn(`"${command.display}" succeeded but did not create ${p}, which it declares`);
    }
  }
}
