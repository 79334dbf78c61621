import { mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FsMemo, linkAction, missingAncestors, type ActionContext } from '../../../src/actions/index.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { useWorld } from './fixture.js';

const world = useWorld();
beforeEach(async () => {
  await writeFile(join(world.src, 'rc'), 'from the repo\n');
});

const source = () => join(world.src, 'rc');
/** The world's context with a run memo (what the executor hands actions under the lock). */
const withMemo = (memo: FsMemo): ActionContext => ({ ...world.ctx, memo });

describe('FsMemo', () => {
  it('answers a free path once, and forgets every free path on request', () => {
    const memo = new FsMemo();
    memo.noteFree('/a');
    memo.noteFree('/b');
    expect(memo.takeFree('/a')).toBe(true);
    expect(memo.takeFree('/a')).toBe(false);
    memo.forgetFree();
    expect(memo.takeFree('/b')).toBe(false);
  });

  it('lets missingAncestors skip a known directory and learn the existing one it finds', async () => {
    const memo = new FsMemo();
    const deep = join(world.home, 'a', 'b');
    expect(missingAncestors(deep, memo)).toEqual([join(world.home, 'a'), deep]);
    expect(memo.hasDirectory(world.home)).toBe(true);
    memo.noteDirectory(deep);
    expect(missingAncestors(deep, memo)).toEqual([]);
    expect(missingAncestors(deep)).toEqual([join(world.home, 'a'), deep]);
  });
});

describe('file.link with a run memo', () => {
  it('creates a link its probe found free without looking again, and undo restores the tree', async () => {
    const memo = new FsMemo();
    const ctx = withMemo(memo);
    const path = join(world.home, 'x', '.rc');
    const before = await world.snapshot();
    const probed = await linkAction.probe!(ctx, { source: source(), path });
    expect(probed).toEqual({ kind: 'create', target: path });
    expect(memo.takeFree(path)).toBe(true);
    memo.noteFree(path);
    const out = await linkAction.do(ctx, { source: source(), path });
    expect(await readlink(path)).toBe(source());
    expect(memo.takeFree(path)).toBe(false);
    expect(memo.hasDirectory(join(world.home, 'x'))).toBe(true);
    await linkAction.undo(ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('does not note a free path whose source is missing', async () => {
    const memo = new FsMemo();
    const path = join(world.home, '.rc');
    const probed = await linkAction.probe!(withMemo(memo), { source: join(world.src, 'gone'), path });
    expect(probed.kind).toBe('create');
    expect(memo.takeFree(path)).toBe(false);
  });

  it('fails without touching an item that appeared after the probe, and undo leaves it', async () => {
    const memo = new FsMemo();
    const ctx = withMemo(memo);
    const path = join(world.home, '.rc');
    await linkAction.probe!(ctx, { source: source(), path });
    await writeFile(path, 'written by someone else meanwhile\n');
    await expect(linkAction.do(ctx, { source: source(), path })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('written by someone else meanwhile\n');
    const registered = world.ctx.registered.at(-1);
    await expect(linkAction.undo(ctx, registered as JsonValue)).rejects.toThrow(/changed since the run/);
    expect(await readFile(path, 'utf8')).toBe('written by someone else meanwhile\n');
  });

  it('recreates a directory the memo knew but that was removed since, and undo removes it', async () => {
    const memo = new FsMemo();
    const ctx = withMemo(memo);
    const dir = join(world.home, 'gone');
    await mkdir(dir);
    const before = await world.snapshot();
    const first = await linkAction.do(ctx, { source: source(), path: join(dir, '.a') });
    expect(memo.hasDirectory(dir)).toBe(true);
    await linkAction.undo(ctx, first.undo as JsonValue);
    await rm(dir, { recursive: true });
    const out = await linkAction.do(ctx, { source: source(), path: join(dir, '.b') });
    expect(await readlink(join(dir, '.b'))).toBe(source());
    expect(out.undo).toMatchObject({ created_dirs: [dir] });
    await linkAction.undo(ctx, out.undo as JsonValue);
    await mkdir(dir);
    expect(await world.snapshot()).toEqual(before);
  });

  it('records created directories on the first link only; undo in reverse order restores the tree', async () => {
    const ctx = withMemo(new FsMemo());
    const before = await world.snapshot();
    const dir = join(world.home, 'd', 'e');
    const undos: JsonValue[] = [];
    for (const name of ['.a', '.b', '.c']) {
      const out = await linkAction.do(ctx, { source: source(), path: join(dir, name) });
      undos.push(out.undo as JsonValue);
    }
    expect(undos.map((undo) => (undo as { created_dirs: string[] }).created_dirs)).toEqual([
      [join(world.home, 'd'), dir],
      [],
      [],
    ]);
    for (const undo of undos.reverse()) await linkAction.undo(ctx, undo);
    expect(await world.snapshot()).toEqual(before);
  });
});
