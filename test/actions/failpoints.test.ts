import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FAILPOINTS_ENV,
  armAction,
  armFailpoint,
  parseFailpoints,
  withFailpoints,
} from '../../src/actions/failpoints.js';
import { ActionRegistry } from '../../src/actions/index.js';
import type { Action } from '../../src/actions/index.js';
import { fakeActionContext } from '../helpers/fake-action-context.js';

/** An action that registers its undo state and records what ran. */
function recordingAction(calls: string[]): Action {
  return {
    name: 'test.step',
    spec: { required: [], optional: [] },
    async do(ctx) {
      calls.push(`do ${ctx.nodeId}`);
      await ctx.registerUndo({ step: ctx.nodeId });
      calls.push(`acted ${ctx.nodeId}`);
      return { undo: { step: ctx.nodeId } };
    },
    async undo(ctx) {
      calls.push(`undo ${ctx.nodeId}`);
    },
    async probe(ctx, slots) {
      calls.push(`probe ${ctx.nodeId}`);
      return { kind: 'create', target: String(slots['path'] ?? '') };
    },
  };
}

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseFailpoints', () => {
  it('reads rules separated by ";" with key=value fields, `at` defaulting to do', () => {
    expect(parseFailpoints('action=file.*,nth=2,effect=fail; at=undo,node=a:b/c,effect=ENOSPC;at=registered,effect=gate,fifo=/tmp/f')).toEqual([
      { stage: 'do', action: 'file.*', nth: 2, effect: { kind: 'fail' } },
      { stage: 'undo', node: 'a:b/c', effect: { kind: 'errno', code: 'ENOSPC' } },
      { stage: 'registered', effect: { kind: 'gate', fifo: '/tmp/f' } },
    ]);
  });

  it.each([
    ['at=later,effect=fail', /at=later is not one of do, registered, done, undo, probe/],
    ['effect=explode', /effect=explode is not fail, throw, hang, gate or an errno name/],
    ['effect=ENOTANERRNO', /is not fail, throw, hang, gate or an errno name/],
    ['nth=0,effect=fail', /nth=0 is not a whole number ≥ 1/],
    ['effect=gate', /effect=gate needs fifo=PATH/],
    ['action=file.link', /effect= is missing/],
    ['when=now,effect=fail', /"when=now" is not one of at=…/],
  ])('refuses "%s" with a one-line invalid-input error', (text, message) => {
    const error = caught(() => parseFailpoints(text));
    expect(error).toMatchObject({ code: 'invalid-input' });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(FAILPOINTS_ENV);
  });
});

describe('withFailpoints', () => {
  it('returns the very same action when the variable is unset, empty, or matches other actions', () => {
    const action = recordingAction([]);
    expect(withFailpoints(action, {})).toBe(action);
    expect(withFailpoints(action, { [FAILPOINTS_ENV]: '' })).toBe(action);
    expect(withFailpoints(action, { [FAILPOINTS_ENV]: 'action=file.link,effect=fail' })).toBe(action);
    expect(withFailpoints(action, { [FAILPOINTS_ENV]: 'action=test.*,effect=fail' })).not.toBe(action);
  });

  it('is what the registry applies on registration (process.env)', async () => {
    const previous = process.env[FAILPOINTS_ENV];
    process.env[FAILPOINTS_ENV] = 'action=test.step,effect=throw';
    try {
      const registry = new ActionRegistry().register(recordingAction([]));
      await expect(registry.get('test.step').do(fakeActionContext(), {})).rejects.toThrow(/threw on purpose/);
    } finally {
      if (previous === undefined) delete process.env[FAILPOINTS_ENV];
      else process.env[FAILPOINTS_ENV] = previous;
    }
    const registry = new ActionRegistry().register(recordingAction([]));
    await expect(registry.get('test.step').do(fakeActionContext(), {})).resolves.toEqual({ undo: { step: 'node' } });
  });
});

describe('armAction', () => {
  it('fails only the nth matching call, with a WritLoreError naming the point', async () => {
    const calls: string[] = [];
    const action = armAction(recordingAction(calls), [armFailpoint({ stage: 'do', nth: 2, effect: { kind: 'fail' } })]);
    await action.do(fakeActionContext({ nodeId: 'a' }), {});
    await expect(action.do(fakeActionContext({ nodeId: 'b' }), {})).rejects.toMatchObject({
      code: 'action-failed',
      message: expect.stringMatching(/^failpoint do test\.step on b \(call 2\): failed on purpose/) as unknown,
    });
    await action.do(fakeActionContext({ nodeId: 'c' }), {});
    expect(calls).toEqual(['do a', 'acted a', 'do c', 'acted c']);
  });

  it('fires `registered` after the undo state is journalled and before the step acts', async () => {
    const calls: string[] = [];
    const action = armAction(recordingAction(calls), [armFailpoint({ stage: 'registered', node: 'b', effect: { kind: 'errno', code: 'ENOSPC' } })]);
    const ctx = fakeActionContext({ nodeId: 'b' });
    const error = await action.do(ctx, {}).catch((thrown: unknown) => thrown as NodeJS.ErrnoException);
    expect(error).toMatchObject({ code: 'ENOSPC', errno: -os.constants.errno.ENOSPC, syscall: 'write' });
    expect(ctx.registered).toEqual([{ step: 'b' }]);
    expect(calls).toEqual(['do b']);
  });

  it('fires `done` after the step acted, with its returned undo state registered first', async () => {
    const calls: string[] = [];
    const action = armAction(recordingAction(calls), [armFailpoint({ stage: 'done', effect: { kind: 'throw' } })]);
    const ctx = fakeActionContext({ nodeId: 'a' });
    await expect(action.do(ctx, {})).rejects.toThrow(/^failpoint done test\.step on a \(call 1\): threw on purpose/);
    expect(calls).toEqual(['do a', 'acted a']);
    expect(ctx.registered).toEqual([{ step: 'a' }, { step: 'a' }]);
  });

  it('fires `undo` before the undo runs', async () => {
    const calls: string[] = [];
    const action = armAction(recordingAction(calls), [armFailpoint({ stage: 'undo', effect: { kind: 'fail' } })]);
    await expect(action.undo?.(fakeActionContext(), null)).rejects.toMatchObject({ code: 'action-failed' });
    expect(calls).toEqual([]);
  });

  it('fires `probe` before the probe runs, and leaves an action without a probe without one', async () => {
    const calls: string[] = [];
    const action = armAction(recordingAction(calls), [armFailpoint({ stage: 'probe', nth: 2, effect: { kind: 'fail' } })]);
    const ctx = fakeActionContext({ nodeId: 'p' });
    await expect(action.probe?.(ctx, { path: '/t' })).resolves.toEqual({ kind: 'create', target: '/t' });
    await expect(action.probe?.(ctx, { path: '/t' })).rejects.toThrow(/^failpoint probe test\.step on p \(call 2\): failed on purpose/);
    expect(calls).toEqual(['probe p']);
    const { probe: _probe, ...withoutProbe } = recordingAction(calls);
    const armed = armAction(withoutProbe, [armFailpoint({ stage: 'probe', effect: { kind: 'fail' } })]);
    expect(armed.probe).toBeUndefined();
  });

  it('hangs until the signal aborts, then throws its reason', async () => {
    const controller = new AbortController();
    const action = armAction(recordingAction([]), [armFailpoint({ stage: 'do', effect: { kind: 'hang' } })]);
    const running = action.do(fakeActionContext({ signal: controller.signal }), {});
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(action.do(fakeActionContext({ signal: aborted }), {})).rejects.toThrow('already');
  });

  it('waits at a gate until a writer opens and closes the FIFO', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'failpoint-gate-'));
    try {
      const fifo = path.join(dir, 'gate');
      execFileSync('mkfifo', [fifo]);
      const calls: string[] = [];
      const action = armAction(recordingAction(calls), [armFailpoint({ stage: 'do', effect: { kind: 'gate', fifo } })]);
      const running = action.do(fakeActionContext(), {});
      const writer = await fs.open(fifo, 'w');
      expect(calls).toEqual([]);
      await writer.close();
      await running;
      expect(calls).toEqual(['do node', 'acted node']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
