import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FsMemo, linkAction, missingAncestors, plannedMissingAncestors, type ActionContext } from '../../../src/actions/index.js';
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
  it('hands a free path out once, and forgets every free path on request', () => {
    const memo = new FsMemo();
    memo.noteFree('/a');
    memo.noteFree('/b');
    expect(memo.isFree('/a')).toBe(true);
    expect(memo.takePlannedFree('/a')).toBeUndefined();
    expect(memo.isFree('/a')).toBe(false);
    memo.forgetFree();
    expect(memo.isFree('/b')).toBe(false);
  });

  it('plans each missing directory for the first step under it, in the order asked', () => {
    const memo = new FsMemo();
    const [d, s0, s1] = [join(world.home, 'd'), join(world.home, 'd', 's0'), join(world.home, 'd', 's1')];
    expect(plannedMissingAncestors(s0, memo)).toEqual([d, s0]);
    expect(plannedMissingAncestors(s0, memo)).toEqual([]);
    expect(plannedMissingAncestors(s1, memo)).toEqual([s1]);
    expect(plannedMissingAncestors(world.home, memo)).toEqual([]);
    expect(memo.hasDirectory(world.home)).toBe(true);
    // Planning is not knowing: a step that does not use the plan still looks.
    expect(missingAncestors(s1, memo)).toEqual([d, s1]);
  });

  it('hands a free path its plan once; a path noted without a plan has none', () => {
    const memo = new FsMemo();
    const plan = { createdDirs: ['/t'], undo: { kind: 'place' } };
    memo.noteFree('/t/a', plan);
    memo.noteFree('/t/b');
    expect(memo.takePlannedFree('/t/a')).toBe(plan);
    expect(memo.takePlannedFree('/t/a')).toBeUndefined();
    expect(memo.isFree('/t/b')).toBe(true);
    expect(memo.takePlannedFree('/t/b')).toBeUndefined();
    expect(memo.isFree('/t/b')).toBe(false);
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
    // The probe predicts the undo state the step will register (a recorded run journals it).
    const predicted = {
      kind: 'place', path, prior: { type: 'missing' }, backup: null,
      placed: { type: 'symlink', link_target: source() }, created_dirs: [join(world.home, 'x')],
    };
    expect(probed).toEqual({ kind: 'create', target: path, undo: predicted });
    expect(memo.isFree(path)).toBe(true);
    const out = await linkAction.do(ctx, { source: source(), path });
    expect(await readlink(path)).toBe(source());
    expect(world.ctx.registered.at(-1)).toEqual(predicted);
    expect(out.undo).toEqual(predicted);
    expect(memo.isFree(path)).toBe(false);
    expect(memo.hasDirectory(join(world.home, 'x'))).toBe(true);
    await linkAction.undo(ctx, out.undo as JsonValue);
    expect(await world.snapshot()).toEqual(before);
  });

  it('does not note a free path whose source is missing', async () => {
    const memo = new FsMemo();
    const path = join(world.home, '.rc');
    const probed = await linkAction.probe!(withMemo(memo), { source: join(world.src, 'gone'), path });
    expect(probed.kind).toBe('create');
    expect(memo.isFree(path)).toBe(false);
  });

  it('reports a file where a parent directory is needed, with or without a memo; a link to a directory is fine', async () => {
    await writeFile(join(world.home, 'plain'), 'a file\n');
    const path = join(world.home, 'plain', 'sub', '.rc');
    for (const ctx of [world.ctx, withMemo(new FsMemo())]) {
      expect(await linkAction.probe!(ctx, { source: source(), path })).toMatchObject({
        kind: 'conflict', target: path, parent: join(world.home, 'plain'), current: { type: 'file' },
        reason: `regular file exists at ${join(world.home, 'plain')}, where ${path} needs a directory`,
      });
    }
    await mkdir(join(world.home, 'real'));
    await symlink(join(world.home, 'real'), join(world.home, 'linked'));
    expect(await linkAction.probe!(world.ctx, { source: source(), path: join(world.home, 'linked', 'x', '.rc') })).toMatchObject({ kind: 'create' });
  });

  it('takes the planner\'s word for a source it listed, and looks at any other', async () => {
    const memo = new FsMemo();
    const [listed, unlisted] = [join(world.src, 'listed-then-removed'), join(world.src, 'never-there')];
    memo.noteListed(listed);
    const [a, b] = [join(world.home, '.a'), join(world.home, '.b')];
    expect(await linkAction.probe!(withMemo(memo), { source: listed, path: a })).toMatchObject({ kind: 'create', undo: { kind: 'place' } });
    expect(memo.isFree(a)).toBe(true);
    expect(await linkAction.probe!(withMemo(memo), { source: unlisted, path: b })).toEqual({
      kind: 'create', target: b, detail: `source ${unlisted} does not exist`,
    });
    expect(memo.isFree(b)).toBe(false);
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

  it('trusts an earlier probe that found the directory missing; what appeared there since fails its step untouched', async () => {
    const memo = new FsMemo();
    const ctx = withMemo(memo);
    const dir = join(world.home, 'x');
    const [a, b] = [join(dir, '.a'), join(dir, '.b')];
    expect(await linkAction.probe!(ctx, { source: source(), path: a })).toMatchObject({ kind: 'create' });
    // Someone else (not a writ run: the lock keeps those out) fills the directory meanwhile.
    await mkdir(dir);
    await writeFile(b, 'written by someone else meanwhile\n');
    // The probe under a directory this run planned to create does not look again.
    expect(await linkAction.probe!(ctx, { source: source(), path: b })).toMatchObject({ kind: 'create' });
    const out = await linkAction.do(ctx, { source: source(), path: a });
    expect(await readlink(a)).toBe(source());
    // The directory it had planned was made by someone else: not recorded as this run's, so
    // undo leaves it (and their file) where it is.
    expect(out.undo).toMatchObject({ created_dirs: [] });
    expect(world.ctx.registered.at(-1)).toMatchObject({ created_dirs: [] });
    await linkAction.undo(ctx, out.undo as JsonValue);
    expect(await readFile(b, 'utf8')).toBe('written by someone else meanwhile\n');
    await expect(linkAction.do(ctx, { source: source(), path: b })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(b, 'utf8')).toBe('written by someone else meanwhile\n');
  });

  it('does not record, nor remove on undo, an empty directory someone else made after the probe', async () => {
    const memo = new FsMemo();
    const ctx = withMemo(memo);
    const dir = join(world.home, 'theirs');
    const path = join(dir, '.rc');
    await linkAction.probe!(ctx, { source: source(), path });
    await mkdir(dir);
    const out = await linkAction.do(ctx, { source: source(), path });
    expect(out.undo).toMatchObject({ created_dirs: [] });
    await linkAction.undo(ctx, out.undo as JsonValue);
    expect((await readdir(dir))).toEqual([]);
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

  it('a step that runs before the one that planned its directory creates and records it; any undo order restores the tree', async () => {
    const before = await world.snapshot();
    const [d, s0, s1] = [join(world.home, 'd'), join(world.home, 'd', 's0'), join(world.home, 'd', 's1')];
    const paths = [join(s0, '.a'), join(s0, '.b'), join(s1, '.c')];
    for (const order of [[2, 1, 0], [1, 2, 0]]) {
      const memo = new FsMemo();
      const ctx = withMemo(memo);
      for (const path of paths) await linkAction.probe!(ctx, { source: source(), path });
      const undos = new Map<number, JsonValue>();
      for (const index of order) {
        const out = await linkAction.do(ctx, { source: source(), path: paths[index] as string });
        undos.set(index, out.undo as JsonValue);
      }
      for (const path of paths) expect(await readlink(path)).toBe(source());
      const dirs = (index: number) => (undos.get(index) as { created_dirs: string[] }).created_dirs;
      // .c ran first: its planned [s1] was not enough (d missing), so it made and recorded both.
      if (order[0] === 2) expect(dirs(2)).toEqual([d, s1]);
      // .b ran before .a, which had planned s0: .b made and recorded d/s0 itself.
      if (order[0] === 1) expect(dirs(1)).toEqual([d, s0]);
      // Undo in reverse plan order (recovery) and in reverse run order (the run's rollback).
      const undoOrder = order[0] === 2 ? [2, 1, 0] : [...order].reverse();
      for (const index of undoOrder) await linkAction.undo(ctx, undos.get(index) as JsonValue);
      expect(await world.snapshot()).toEqual(before);
    }
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
