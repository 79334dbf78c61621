import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, lstat, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadAction, netProvider } from '../../../src/actions/net/index.js';
import { TestClock } from '../../../src/executor/clock.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { startHttpServer, type TestHttpServer } from '../../helpers/http-server.js';
import { rejection } from '../../helpers/thrown.js';
import { makeContext, manualClock, snapshotTree, useWorkspace } from './fixture.js';

const BODY = Buffer.from('#!/bin/sh\necho hello from writ-lore\n');
const HEX = createHash('sha256').update(BODY).digest('hex');
const WRONG = createHash('sha256').update('something else').digest('hex');

const ws = useWorkspace('writ-net-');
let server: TestHttpServer;

beforeEach(async () => {
  server = await startHttpServer({
    '/tool.sh': BODY,
    '/flaky': { body: BODY, failFirst: 1 },
    '/missing-upstream': { body: BODY, failFirst: 1, failStatus: 404 },
    '/hang': { body: BODY, behaviour: 'hang' },
    '/cut': { body: Buffer.alloc(256 * 1024, 7), behaviour: 'close-mid-body' },
  });
});

afterEach(async () => {
  await server.close();
});

describe('net.download', () => {
  it('is provided by the net provider with its slots declared', () => {
    expect(netProvider.actions.map((action) => action.name)).toEqual(['net.download']);
    expect(downloadAction.spec).toEqual({
      required: ['url', 'path', 'sha256'],
      optional: ['mode', 'timeout'],
      writes: ['path'],
    });
  });

  it('downloads over HTTP into new directories and undo restores the identical tree', async () => {
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const path = join(ws.tree, 'opt', 'bin', 'tool.sh');
    const output = await downloadAction.do(ctx, { url: `${server.url}/tool.sh`, path, sha256: HEX, mode: '0755' });
    expect(output.result).toEqual({ path, sha256: `sha256:${HEX}`, size: BODY.length });
    expect(output.digests).toEqual({ source: `sha256:${HEX}`, target: `sha256:${HEX}` });
    expect(await readFile(path)).toEqual(BODY);
    expect((await lstat(path)).mode & 0o777).toBe(0o755);
    expect(await readdir(join(ws.tree, 'opt', 'bin'))).toEqual(['tool.sh']);
    await downloadAction.undo(ctx, output.undo ?? null);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it.each([
    ['bare hex', HEX],
    ['prefixed hex', `sha256:${HEX}`],
    ['upper-case hex', HEX.toUpperCase()],
  ])('accepts the checksum as %s', async (_label, sha256) => {
    const ctx = makeContext({ backupRoot: ws.backups });
    const path = join(ws.tree, 'tool.sh');
    const output = await downloadAction.do(ctx, { url: `${server.url}/tool.sh`, path, sha256 });
    expect(output.result).toMatchObject({ sha256: `sha256:${HEX}` });
    expect((await lstat(path)).mode & 0o777).toBe(0o644);
  });

  it('fails with a non-retryable integrity error and leaves nothing when the checksum is wrong', async () => {
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const url = `${server.url}/tool.sh`;
    const path = join(ws.tree, 'deep', 'tool.sh');
    const error = await rejection(downloadAction.do(ctx, { url, path, sha256: WRONG }));
    expect(error.code).toBe('integrity');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`download ${url}: sha256 mismatch (expected sha256:${WRONG}, got sha256:${HEX})`);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it.each([
    ['/flaky', 503, true],
    ['/missing-upstream', 404, false],
  ])('fails on %s with HTTP %i, retryable: %s, leaving nothing', async (route, status, retryable) => {
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const url = `${server.url}${route}`;
    const error = await rejection(downloadAction.do(ctx, { url, path: join(ws.tree, 'a', 'f'), sha256: HEX }));
    expect(error.code).toBe('action-failed');
    expect(error.retryable).toBe(retryable);
    expect(error.message).toBe(`download ${url} failed: HTTP ${status}`);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('succeeds on a second try after the server failed once', async () => {
    const ctx = makeContext({ backupRoot: ws.backups });
    const slots = { url: `${server.url}/flaky`, path: join(ws.tree, 'f'), sha256: HEX };
    await expect(downloadAction.do(ctx, slots)).rejects.toThrow('HTTP 503');
    await expect(downloadAction.do(ctx, slots)).resolves.toMatchObject({ result: { size: BODY.length } });
    expect(server.requests.map((request) => request.outcome)).toEqual([503, 200]);
  });

  it('fails retryably and leaves nothing when the connection closes mid-body', async () => {
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const error = await rejection(downloadAction.do(ctx, { url: `${server.url}/cut`, path: join(ws.tree, 'cut'), sha256: HEX }));
    expect(error.code).toBe('action-failed');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`download ${server.url}/cut failed`);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('times out on the context clock when the server hangs, leaving nothing', async () => {
    const before = await snapshotTree(ws.tree);
    const clock = manualClock();
    const ctx = makeContext({ backupRoot: ws.backups, clock });
    const url = `${server.url}/hang`;
    const pending = rejection(downloadAction.do(ctx, { url, path: join(ws.tree, 'x', 'h'), sha256: HEX, timeout: '30s' }));
    await server.waitForRequests(1);
    clock.fire();
    const error = await pending;
    expect(error.code).toBe('action-failed');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`download ${url} timed out after 30s`);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('times out at once under a TestClock, whose sleeps return immediately', async () => {
    const ctx = makeContext({ backupRoot: ws.backups, clock: new TestClock() });
    const error = await rejection(
      downloadAction.do(ctx, { url: `${server.url}/hang`, path: join(ws.tree, 'h'), sha256: HEX, timeout: '5m' }),
    );
    expect(error.message).toContain('timed out after 5m');
  });

  it('is cancelled by the AbortSignal while the server hangs, leaving nothing', async () => {
    const before = await snapshotTree(ws.tree);
    const controller = new AbortController();
    const ctx = makeContext({ backupRoot: ws.backups, signal: controller.signal });
    const pending = rejection(downloadAction.do(ctx, { url: `${server.url}/hang`, path: join(ws.tree, 'y', 'h'), sha256: HEX }));
    await server.waitForRequests(1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe('cancelled');
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('displaces an existing file into the backup store and undo puts it back', async () => {
    const path = join(ws.tree, 'tool.sh');
    await writeFile(path, 'old contents\n');
    await chmod(path, 0o600);
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const output = await downloadAction.do(ctx, { url: `${server.url}/tool.sh`, path, sha256: HEX });
    expect(await readFile(path)).toEqual(BODY);
    expect(await readdir(ws.backups)).toHaveLength(1);
    await downloadAction.undo(ctx, output.undo ?? null);
    expect(await snapshotTree(ws.tree)).toEqual(before);
    expect(await readdir(ws.backups)).toEqual([]);
  });

  it('registers undo state naming the backup before the existing file moves', async () => {
    const path = join(ws.tree, 'tool.sh');
    await writeFile(path, 'old contents\n');
    const seen: boolean[] = [];
    const ctx = makeContext({
      backupRoot: ws.backups,
      onRegister: () => seen.push(readFileSyncOrNull(path) === 'old contents\n'),
    });
    const output = await downloadAction.do(ctx, { url: `${server.url}/tool.sh`, path, sha256: HEX });
    expect(seen).toEqual([true]);
    expect(ctx.registered).toEqual([output.undo]);
    expect(output.undo).toMatchObject({ backup: { original: path, type: 'file' } });
  });

  it('does nothing when the file already has the checksum and mode', async () => {
    const path = join(ws.tree, 'tool.sh');
    await writeFile(path, BODY);
    await chmod(path, 0o644);
    const ctx = makeContext({ backupRoot: ws.backups });
    const output = await downloadAction.do(ctx, { url: `${server.url}/tool.sh`, path, sha256: HEX });
    expect(output.undo).toBeUndefined();
    expect(output.result).toEqual({ path, sha256: `sha256:${HEX}`, size: BODY.length });
    expect(server.requests).toEqual([]);
    expect(ctx.registered).toEqual([]);
  });

  it.each([
    ['no mode is asked', {}, 'ok-already'],
    ['the same mode is asked', { mode: '0700' }, 'ok-already'],
    ['another mode is asked', { mode: '0755' }, 'replace'],
  ])('finds identical bytes (mode 0700) %s when %s', async (_label, extra, kind) => {
    const path = join(ws.tree, 'tool.sh');
    await writeFile(path, BODY);
    await chmod(path, 0o700);
    const ctx = makeContext({ backupRoot: ws.backups });
    const slots = { url: `${server.url}/tool.sh`, path, sha256: HEX, ...extra };
    expect(await downloadAction.probe?.(ctx, slots)).toMatchObject({ kind });
    const output = await downloadAction.do(ctx, slots);
    expect(output.undo === undefined).toBe(kind === 'ok-already');
  });

  it('leaves a file changed after the download in place and says so on undo', async () => {
    const path = join(ws.tree, 'tool.sh');
    const ctx = makeContext({ backupRoot: ws.backups });
    const output = await downloadAction.do(ctx, { url: `${server.url}/tool.sh`, path, sha256: HEX });
    await writeFile(path, 'edited by the user\n');
    const error = await rejection(downloadAction.undo(ctx, output.undo ?? null));
    expect(error.code).toBe('rollback-incomplete');
    expect(error.message).toContain(`${path} changed since it was downloaded`);
    expect(await readFile(path, 'utf8')).toBe('edited by the user\n');
  });

  it('undoes a journalled state whose download never started', async () => {
    const path = join(ws.tree, 'tool.sh');
    await writeFile(path, 'old\n');
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const state: JsonValue = {
      path,
      sha256: `sha256:${HEX}`,
      created_dirs: [join(ws.tree, 'never-made')],
      backup: { id: 'abc-tool.sh', original: path, type: 'file' },
    };
    await downloadAction.undo(ctx, state);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });
});

describe('net.download from local sources', () => {
  it.each([
    ['a file:// URL', (source: string) => pathToFileURL(source).href],
    ['a plain path', (source: string) => source],
  ])('copies from %s and undo removes the copy', async (_label, toUrl) => {
    const source = join(ws.base, 'source.bin');
    await writeFile(source, BODY);
    const before = await snapshotTree(ws.tree);
    const ctx = makeContext({ backupRoot: ws.backups });
    const path = join(ws.tree, 'sub', 'copy.bin');
    const output = await downloadAction.do(ctx, { url: toUrl(source), path, sha256: HEX });
    expect(await readFile(path)).toEqual(BODY);
    await downloadAction.undo(ctx, output.undo ?? null);
    expect(await snapshotTree(ws.tree)).toEqual(before);
  });

  it('fails with not-found when the local source does not exist', async () => {
    const ctx = makeContext({ backupRoot: ws.backups });
    const source = join(ws.base, 'nope.bin');
    const error = await rejection(downloadAction.do(ctx, { url: source, path: join(ws.tree, 'c'), sha256: HEX }));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`download ${source} failed: no such file`);
    expect(error.retryable).toBe(false);
  });
});

describe('net.download slots', () => {
  it.each([
    ['a malformed checksum', { sha256: 'abc' }, 'slot "sha256" is not a SHA-256 digest'],
    ['an unsupported scheme', { url: 'ftp://example.invalid/x' }, 'unsupported URL scheme'],
    ['a numeric mode', { mode: 420 }, 'slot "mode" must be an octal mode string'],
    ['a malformed timeout', { timeout: 'soon' }, 'invalid duration'],
  ])('rejects %s before touching anything', async (_label, override, message) => {
    const ctx = makeContext({ backupRoot: ws.backups });
    const slots = { url: `${server.url}/tool.sh`, path: join(ws.tree, 'f'), sha256: HEX, ...override };
    await expect(downloadAction.do(ctx, slots)).rejects.toThrow(message);
    expect(server.requests).toEqual([]);
    expect(await readdir(ws.tree)).toEqual([]);
  });
});

describe('net.download probe', () => {
  it('predicts create, replace and ok-already without any request', async () => {
    const ctx = makeContext({ backupRoot: ws.backups });
    const path = join(ws.tree, 'tool.sh');
    const slots = { url: `${server.url}/tool.sh`, path, sha256: HEX };
    expect(await downloadAction.probe?.(ctx, slots)).toEqual({ kind: 'create', target: path });
    await writeFile(path, 'other');
    await chmod(path, 0o644);
    expect(await downloadAction.probe?.(ctx, slots)).toMatchObject({
      kind: 'replace',
      current: { type: 'file', mode: '0644' },
      digest: `sha256:${HEX}`,
    });
    await writeFile(path, BODY);
    expect(await downloadAction.probe?.(ctx, slots)).toEqual({ kind: 'ok-already', target: path });
    expect(server.requests).toEqual([]);
  });
});

function readFileSyncOrNull(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}
