import { performance } from 'node:perf_hooks';
import {
  WritLoreError,
  buildInstallPlan,
  prefetchDownloads,
  resolveInstall,
  runRecorded,
  savePlan,
  withLoreRecord,
  type Graph,
  type InstalledPackage,
  type Resolution,
} from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import { JSON_FORMAT_VERSION } from '../receipts/common.js';
import type { CommandContext, Handler } from '../program.js';
import { jobsOf, openLoreRegistry, openLoreSession, prefixOf, readInstalled, type LoreFlags, type LoreSession } from './common.js';
import { progressHooks } from './progress.js';
import { printPurchaseOrder, purchaseOrder } from './purchase-order.js';
import { printResolution, resolutionJson } from './resolution.js';
import { printRunOutcome } from './outcome.js';

/** Flags of `lore install`. */
export interface InstallFlags extends LoreFlags {
  readonly with?: readonly string[];
  readonly without?: readonly string[];
  readonly set?: readonly string[];
  readonly dryRun?: boolean;
  readonly out?: string;
}

/** `lore install PKG…`: resolve, print the resolution, run the phased plan as a saga, write a receipt. */
export const handler: Handler<InstallFlags> = async (ctx) => {
  const started = performance.now();
  const session = openLoreSession(ctx);
  const jobs = jobsOf(ctx);
  const planned = await planInstall(ctx, session);
  if (planned === undefined) return EXIT.ok;
  const { graph, prefix } = planned;
  if (ctx.options.out !== undefined) {
    const saved = await savePlan(ctx.options.out, graph, session.store.keys);
    ctx.out.note(`plan saved to ${ctx.options.out} (${saved.signed ? 'signed' : 'checksum'} ${saved.checksum})`);
  }
  if (ctx.options.dryRun === true) {
    const order = await purchaseOrder(graph, prefix, session.actions);
    if (ctx.out.isJson) ctx.out.json({ version: JSON_FORMAT_VERSION, dry_run: true, resolution: resolutionJson(planned.resolution), order });
    else printPurchaseOrder(ctx.out, order);
    return EXIT.ok;
  }
  const prefetched = await prefetchDownloads(graph, {
    cacheDir: session.cacheDir,
    jobs,
    onMiss: (url, error) => ctx.out.note(`prefetch of ${url} failed (${error.message}); the install phase will fetch it`),
  });
  const result = await runRecorded(prefetched.graph, {
    store: session.store,
    registry: session.actions,
    jobs,
    hooks: [progressHooks(ctx.out)],
    onNote: (message) => ctx.out.note(message),
  });
  return printRunOutcome(ctx.out, { verb: 'installed', result, elapsedMs: performance.now() - started });
};

/** What is left to install and its plan (the record lore keeps in the context included). */
interface PlannedInstall {
  readonly prefix: string;
  readonly resolution: Resolution;
  readonly graph: Graph;
}

/**
 * Resolves the packages, prints the resolution, drops those already installed at the same
 * version and builds the plan; undefined (after saying so) when nothing is left to install.
 */
async function planInstall(ctx: CommandContext<InstallFlags>, session: LoreSession): Promise<PlannedInstall | undefined> {
  const prefix = prefixOf(ctx, session);
  const registry = openLoreRegistry(ctx, session);
  const resolution = await resolveInstall(registry, ctx.args, {
    with: ctx.options.with ?? [],
    without: ctx.options.without ?? [],
    settings: parseSettings(ctx.options.set ?? []),
    platform: { os: process.platform, arch: process.arch },
  });
  if (!ctx.out.isJson) printResolution(ctx.out, resolution);
  const installed = (await readInstalled(session.store)).filter((pkg) => pkg.prefix === prefix);
  const todo = pendingPackages(resolution, installed);
  if (todo.packages.length === 0) {
    reportNothingToDo(ctx, resolution, installed, prefix);
    return undefined;
  }
  const plan = buildInstallPlan(todo, { prefix, catalog: session.actions, registry });
  const graph = withLoreRecord(plan.graph, {
    operation: 'install',
    requested: todo.packages.filter((pkg) => pkg.requested).map((pkg) => pkg.name),
    depends: Object.fromEntries(todo.packages.map((pkg) => [pkg.name, [...pkg.manifest.depends]])),
  });
  return { prefix, resolution: todo, graph };
}

/** `--set K=V` flags as a record. */
function parseSettings(flags: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0) throw new WritLoreError('invalid-input', `--set ${flag}: expected NAME=VALUE`);
    settings[flag.slice(0, at)] = flag.slice(at + 1);
  }
  return settings;
}

/** The resolution without the packages already installed in the prefix at the same version. */
function pendingPackages(resolution: Resolution, installed: readonly InstalledPackage[]): Resolution {
  const isInstalled = (name: string, version: string): boolean => installed.some((pkg) => pkg.name === name && pkg.version === version);
  return { ...resolution, packages: resolution.packages.filter((pkg) => !isInstalled(pkg.name, pkg.version)) };
}

function reportNothingToDo(
  ctx: CommandContext<InstallFlags>,
  resolution: Resolution,
  installed: readonly InstalledPackage[],
  prefix: string,
): void {
  const rows = resolution.packages.map((pkg) => installed.find((item) => item.name === pkg.name) ?? pkg);
  if (ctx.out.isJson) {
    ctx.out.json({ version: JSON_FORMAT_VERSION, state: 'nothing-to-do', prefix, packages: rows.map((pkg) => ({ name: pkg.name, version: pkg.version })) });
    return;
  }
  const names = rows.map((pkg) => `${pkg.name} ${pkg.version}`).join(', ');
  ctx.out.line(`already installed in ${prefix}: ${names}; nothing to do`, true);
}
