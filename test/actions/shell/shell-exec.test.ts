import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellExec, shellProvider } from '../../../src/actions/shell/index.js';
import { WritLoreError, type JsonValue } from '../../../src/graph/index.js';
import { fakeActionContext, manualClock } from '../../helpers/fake-action-context.js';
import { isAlive } from '../../helpers/processes.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';

const temp = useTempDir('writ-shell-');
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('shell.exec', () => {
  it('is provided by shellProvider with a spec naming its slots', () => {
    expect(shellProvider.actions).toEqual([shellExec]);
    expect(shellExec.spec).toEqual({
      required: [],
      optional: ['argv', 'command', 'cwd', 'env', 'creates', 'undo', 'timeout'],
    });
  });

  it('runs an argument vector without a shell and logs its output', async () => {
    const ctx = fakeActionContext({ data: { env } });
    const output = await shellExec.do(ctx, { argv: ['printf', '%s\\n', '$HOME', 'a;b'] });
    expect(output.result).toEqual({ exit_code: 0, stdout_tail: '$HOME\na;b\n' });
    expect(ctx.lines).toEqual([
      { level: 'info', message: '$HOME' },
      { level: 'info', message: 'a;b' },
    ]);
  });

  it('runs a command string through /bin/sh -c with cwd and env laid over the run environment', async () => {
    const ctx = fakeActionContext({ data: { env: { ...env, BASE: 'base' } } });
    const output = await shellExec.do(ctx, { command: 'pwd; echo "$BASE $EXTRA" >&2', cwd: temp.path, env: { EXTRA: 'extra' } });
    expect(output.result).toEqual({ exit_code: 0, stdout_tail: `${temp.path}\n` });
    expect(ctx.lines).toContainEqual({ level: 'info', message: '(stderr) base extra' });
  });

  it('fails on a non-zero exit with the code and the tail of stderr', async () => {
    const argv = ['sh', '-c', 'echo progress; echo "make: *** no rule" >&2; exit 2'];
    await expect(shellExec.do(fakeActionContext({ data: { env } }), { argv })).rejects.toThrow(
      new WritLoreError('action-failed', `command "sh -c 'echo progress; echo \"make: *** no rule\" >&2; exit 2'" exited with code 2: make: *** no rule`),
    );
  });

  it('fails clearly when the program does not exist', async () => {
    await expect(shellExec.do(fakeActionContext({ data: { env } }), { argv: ['writ-lore-no-such-tool'] })).rejects.toThrow(
      'command "writ-lore-no-such-tool" not found',
    );
  });

  it('fails clearly when the working directory does not exist', async () => {
    const cwd = join(temp.path, 'nope');
    await expect(shellExec.do(fakeActionContext({ data: { env } }), { argv: ['true'], cwd })).rejects.toThrow(
      `working directory ${cwd} does not exist or is not a directory`,
    );
  });

  it('skips the command when everything it creates exists, and probes as ok-already', async () => {
    await writeFile(join(temp.path, 'built'), '');
    const slots = { command: 'touch ran', cwd: temp.path, creates: ['built'] };
    const ctx = fakeActionContext({ data: { env } });
    expect(await shellExec.probe?.(ctx, slots)).toEqual({ kind: 'ok-already', detail: 'creates built' });
    const output = await shellExec.do(ctx, slots);
    expect(output).toEqual({ result: { exit_code: 0, stdout_tail: '', skipped: true } });
    expect(existsSync(join(temp.path, 'ran'))).toBe(false);
    expect(ctx.registered).toEqual([]);
  });

  it('runs when a declared path is missing, probing as create without running anything', async () => {
    const slots = { command: 'touch built', cwd: temp.path, creates: [join(temp.path, 'built')] };
    const ctx = fakeActionContext({ data: { env } });
    const before = await snapshotTree(temp.path);
    expect(await shellExec.probe?.(ctx, slots)).toEqual({ kind: 'create', detail: 'would run "touch built"' });
    expect(await snapshotTree(temp.path)).toEqual(before);
    await shellExec.do(ctx, slots);
    expect(existsSync(join(temp.path, 'built'))).toBe(true);
  });

  it('warns when the command succeeds without creating what it declares', async () => {
    const ctx = fakeActionContext({ data: { env } });
    await shellExec.do(ctx, { argv: ['true'], cwd: temp.path, creates: ['out.bin'] });
    expect(ctx.lines).toContainEqual({ level: 'warn', message: '"true" succeeded but did not create out.bin, which it declares' });
  });

  it('registers its undo command before running and undoes with the recorded cwd and env', async () => {
    const marker = join(temp.path, 'installed');
    const base = fakeActionContext({ data: { env } });
    const seenBeforeRun: boolean[] = [];
    const ctx = {
      ...base,
      registerUndo: async (state: JsonValue) => {
        seenBeforeRun.push(existsSync(marker));
        await base.registerUndo(state);
      },
    };
    const output = await shellExec.do(ctx, {
      command: 'echo "$MODE" > installed',
      cwd: temp.path,
      env: { MODE: 'on' },
      undo: ['sh', '-c', 'echo "undone $MODE" > installed'],
    });
    expect(seenBeforeRun).toEqual([false]);
    const expected = {
      kind: 'command',
      command: 'echo "$MODE" > installed',
      argv: ['sh', '-c', 'echo "undone $MODE" > installed'],
      cwd: temp.path,
      env: { MODE: 'on' },
    };
    expect(base.registered).toEqual([expected]);
    expect(output.undo).toEqual(expected);
    expect(readFileSync(marker, 'utf8')).toBe('on\n');
    await shellExec.undo(fakeActionContext({ data: { env } }), JSON.parse(JSON.stringify(output.undo)) as JsonValue);
    expect(readFileSync(marker, 'utf8')).toBe('undone on\n');
  });

  it('keeps secret-looking env values out of undo state and re-reads them from the environment at undo', async () => {
    const output = await shellExec.do(fakeActionContext({ data: { env } }), {
      argv: ['true'],
      cwd: temp.path,
      env: { API_TOKEN: 'tok-123', REGION: 'eu' },
      undo: ['sh', '-c', 'echo "$API_TOKEN $REGION" > undo.txt'],
    });
    expect(JSON.stringify(output.undo)).not.toContain('tok-123');
    expect(output.undo).toMatchObject({ env: { API_TOKEN: null, REGION: 'eu' } });
    await shellExec.undo(fakeActionContext({ data: { env: { ...env, API_TOKEN: 'tok-now' } } }), output.undo ?? null);
    expect(readFileSync(join(temp.path, 'undo.txt'), 'utf8')).toBe('tok-now eu\n');
  });

  it('cannot undo a command that has no undo command', async () => {
    const output = await shellExec.do(fakeActionContext({ data: { env } }), { command: 'true' });
    expect(output.undo).toEqual({ kind: 'none', command: 'true' });
    await expect(shellExec.undo(fakeActionContext(), output.undo ?? null)).rejects.toMatchObject({
      code: 'not-compensable',
      message: 'shell.exec cannot undo "true": the node has no undo command',
    });
  });

  it('rejects malformed undo state', async () => {
    await expect(shellExec.undo(fakeActionContext(), { kind: 'command', argv: [] })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('kills the whole process tree when the run is cancelled', async () => {
    const controller = new AbortController();
    const pidFile = join(temp.path, 'grandchild.pid');
    const ctx = fakeActionContext({ data: { env }, signal: controller.signal });
    let grandchild = 0;
    const onInfo = ctx.log.info;
    const running = shellExec.do(
      { ...ctx, log: { ...ctx.log, info: (line) => {
        onInfo(line);
        grandchild = Number(line);
        controller.abort(new Error('SIGINT'));
      } } },
      { command: `sleep 30 & echo $! | tee ${pidFile}; wait` },
    );
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect(grandchild).toBeGreaterThan(0);
    // The pipe closes a moment before the kernel marks the process dead: poll, never sleep.
    await expect.poll(() => isAlive(grandchild), { interval: 5, timeout: 5000 }).toBe(false);
  });

  it('fails as retryable when its timeout elapses', async () => {
    const clock = manualClock();
    const ctx = fakeActionContext({ data: { env }, clock });
    const running = shellExec.do(ctx, { argv: ['sleep', '30'], timeout: '30s' });
    await clock.whenSleeping();
    clock.fire();
    const error = await running.catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'action-failed',
      retryable: true,
      message: 'command "sleep 30" timed out after 30000 ms; its process tree was killed',
    });
  });

  it.each([
    ['neither argv nor command', {}, 'shell.exec needs exactly one of "argv" and "command"'],
    ['both argv and command', { argv: ['a'], command: 'a' }, 'shell.exec needs exactly one of "argv" and "command"'],
    ['an empty argv', { argv: [] }, 'slot "argv" must not be empty'],
    ['a non-string argv item', { argv: ['a', 1] }, 'slot "argv[1]" must be a string, got number'],
    ['an env value that is not a string', { argv: ['a'], env: { N: 1 } }, 'slot "env.N" must be a string, got number'],
    ['a numeric timeout', { argv: ['a'], timeout: 5 }, 'slot "timeout" must be a duration such as "30s", got number'],
    ['an empty undo', { argv: ['a'], undo: [] }, 'slot "undo" must not be empty'],
  ])('rejects %s', async (_what, slots, message) => {
    await expect(shellExec.do(fakeActionContext({ nodeId: 'sh1' }), slots)).rejects.toThrow(`node "sh1": ${message}`);
  });

  it('rejects a timeout that is not a duration', async () => {
    await expect(shellExec.do(fakeActionContext(), { argv: ['a'], timeout: '5' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
