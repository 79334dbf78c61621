import { performance } from 'node:perf_hooks';
import {
  WritLoreError,
  buildRemovalPlan,
  dependentsOf,
  expandPrefix,
  runRecorded,
  type InstalledPackage,
  type RemovalTarget,
  type ReceiptStore,
} from '../../src/index.js';
import type { Handler } from '../program.js';
import { openLoreSession, readInstalled, type LoreFlags } from './common.js';
import { printRunOutcome } from './outcome.js';
import { progressHooks } from './progress.js';

/** Flags of `lore remove`. */
export interface RemoveFlags extends LoreFlags {
  readonly force?: boolean;
}

/**
 * `lore remove PKG…`: replays, newest first, the undo state the install receipt recorded for
 * each package, as a new recorded run with its own receipt. Refuses to remove a dependency of
 * another installed package unless `--force`.
 */
export const handler: Handler<RemoveFlags> = async (ctx) => {
  const started = performance.now();
  const session = openLoreSession(ctx);
  const installed = await readInstalled(session.store);
  const prefix = ctx.options.prefix === undefined ? undefined : expandPrefix(ctx.options.prefix, session.env['HOME']);
  const chosen = ctx.args.map((name) => findInstalled(installed, name, prefix));
  if (ctx.options.force !== true) refuseDependencies(installed, chosen);
  const targets = await removalTargets(session.store, chosen);
  const plan = buildRemovalPlan(targets, { catalog: session.actions });
  const result = await runRecorded(plan, {
    store: session.store,
    registry: session.actions,
    preflight: false,
    hooks: [progressHooks(ctx.out)],
    onNote: (message) => ctx.out.note(message),
  });
  return printRunOutcome(ctx.out, { verb: 'removed', result, elapsedMs: performance.now() - started });
};

function findInstalled(installed: readonly InstalledPackage[], name: string, prefix: string | undefined): InstalledPackage {
  const matches = installed.filter((pkg) => pkg.name === name && (prefix === undefined || pkg.prefix === prefix));
  const [only, second] = matches;
  if (only === undefined) {
    throw new WritLoreError('not-found', `package "${name}" is not installed${prefix === undefined ? '' : ` in ${prefix}`}`, {
      hint: "see 'lore list'",
    });
  }
  if (second !== undefined) {
    throw new WritLoreError('invalid-input', `package "${name}" is installed in ${matches.map((pkg) => pkg.prefix).join(' and ')}`, {
      hint: 'pass --prefix to say which',
    });
  }
  return only;
}

function refuseDependencies(installed: readonly InstalledPackage[], chosen: readonly InstalledPackage[]): void {
  const leaving = new Set(chosen.map((pkg) => `${pkg.prefix}\u0000${pkg.name}`));
  for (const pkg of chosen) {
    const users = dependentsOf(installed, pkg.name, pkg.prefix).filter((user) => !leaving.has(`${user.prefix}\u0000${user.name}`));
    if (users.length === 0) continue;
    throw new WritLoreError('invalid-input', `package "${pkg.name}" is a dependency of ${users.map((user) => user.name).join(', ')}`, {
      hint: `remove ${users.map((user) => user.name).join(' ')} too, or pass --force`,
    });
  }
}

/** The verified install receipts of the chosen packages, dependents first (newest install first). */
async function removalTargets(store: ReceiptStore, chosen: readonly InstalledPackage[]): Promise<RemovalTarget[]> {
  const targets: { target: RemovalTarget; position: number }[] = [];
  for (const installed of chosen) {
    const receipt = await store.load(installed.receipt);
    const position = (receipt.context.packages ?? []).indexOf(`${installed.name}@${installed.version}`);
    targets.push({ target: { installed, receipt }, position });
  }
  targets.sort((a, b) => b.target.installed.installedAt.localeCompare(a.target.installed.installedAt) || b.position - a.position);
  return targets.map(({ target }) => target);
}
