import type { ActionOutput, CompensableAction, ProbeOutcome } from '../types.js';
import { bindRun, listNames, packageRun, parsePackageUndo, type PackageUndoState } from './package-run.js';

/**
 * `pkg.remove`: removes those of `packages` that are installed, recording them, so undo
 * reinstalls only what this step removed.
 */
export const pkgRemove: CompensableAction = {
  name: 'pkg.remove',
  spec: { required: ['manager', 'packages'] },

  async do(ctx, slots): Promise<ActionOutput> {
    const run = packageRun(ctx, slots);
    const before = await run.installed();
    const present = run.packages.filter((name) => before.has(name));
    if (present.length === 0) {
      ctx.log.info(`${run.manager.name}: ${listNames(run.packages)} not installed`);
      return { result: { removed: [] } };
    }
    const undo: PackageUndoState = { kind: 'removed', manager: run.manager.name, packages: present };
    await ctx.registerUndo(undo);
    await run.change(run.manager.removeArgv(present), ctx.log);
    return { result: { removed: present }, undo: undo };
  },

  /** Reinstalls the packages this step removed that are missing now. */
  async undo(ctx, state): Promise<void> {
    const undo = parsePackageUndo(state, 'removed', ctx.nodeId);
    const run = bindRun(ctx, undo.adapter, undo.packages);
    const present = await run.installed();
    const missing = undo.packages.filter((name) => !present.has(name));
    if (missing.length === 0) {
      ctx.log.info(`${undo.manager}: nothing to reinstall (${listNames(undo.packages)} installed)`);
      return;
    }
    await run.change(undo.adapter.installArgv(missing), ctx.log);
  },

  async probe(ctx, slots): Promise<ProbeOutcome> {
    const run = packageRun(ctx, slots);
    const before = await run.installed();
    const present = run.packages.filter((name) => before.has(name));
    const target = `${run.manager.name}:${run.packages.join(',')}`;
    if (present.length === 0) return { kind: 'ok-already', target, detail: `${listNames(run.packages)} not installed` };
    return { kind: 'replace', target, current: { type: 'other' }, detail: `would remove ${listNames(present)}` };
  },
};
