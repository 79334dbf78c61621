import type { ActionOutput, CompensableAction, ProbeOutcome } from '../types.js';
import { bindRun, listNames, packageRun, parsePackageUndo, type PackageUndoState } from './package-run.js';

/**
 * `pkg.install`: installs `packages` with `manager` (apt, dnf, brew, npm). It first records
 * which are installed already, so undo removes only the packages this step added.
 */
export const pkgInstall: CompensableAction = {
  name: 'pkg.install',
  spec: { required: ['manager', 'packages'] },

  async do(ctx, slots): Promise<ActionOutput> {
    const run = packageRun(ctx, slots);
    const before = await run.installed();
    const missing = run.packages.filter((name) => !before.has(name));
    if (missing.length === 0) {
      ctx.log.info(`${run.manager.name}: ${listNames(run.packages)} already installed`);
      return { result: { installed: [] } };
    }
    const undo: PackageUndoState = {
      kind: 'installed',
      manager: run.manager.name,
      packages: missing,
      already_installed: run.packages.filter((name) => before.has(name)),
    };
    await ctx.registerUndo(undo);
    await run.change(run.manager.installArgv(missing), ctx.log);
    return { result: { installed: missing }, undo: undo };
  },

  /** Removes the packages this step added that are still installed (an interrupted step added fewer). */
  async undo(ctx, state): Promise<void> {
    const undo = parsePackageUndo(state, 'installed', ctx.nodeId);
    const run = bindRun(ctx, undo.adapter, undo.packages);
    const present = await run.installed();
    const added = undo.packages.filter((name) => present.has(name));
    if (added.length === 0) {
      ctx.log.info(`${undo.manager}: nothing to remove (${listNames(undo.packages)} not installed)`);
      return;
    }
    await run.change(undo.adapter.removeArgv(added), ctx.log);
  },

  async probe(ctx, slots): Promise<ProbeOutcome> {
    const run = packageRun(ctx, slots);
    const before = await run.installed();
    const missing = run.packages.filter((name) => !before.has(name));
    const target = `${run.manager.name}:${run.packages.join(',')}`;
    if (missing.length === 0) return { kind: 'ok-already', target, detail: `${listNames(run.packages)} installed` };
    return { kind: 'create', target, detail: `would install ${listNames(missing)}` };
  },
};
