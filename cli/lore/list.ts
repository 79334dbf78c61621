import type { InstalledPackage } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import type { Handler } from '../program.js';
import { JSON_FORMAT_VERSION, shortTime } from '../receipts/common.js';
import { openLoreSession, prefixOf, readInstalled, type LoreFlags } from './common.js';

/** An installed package as `lore list --json` and `lore info --json` print it (snake_case keys). */
export function installedJson(pkg: InstalledPackage): Record<string, unknown> {
  return {
    name: pkg.name,
    version: pkg.version,
    prefix: pkg.prefix,
    receipt: pkg.receipt,
    installed_at: pkg.installedAt,
    depends: [...pkg.depends],
    requested: pkg.requested,
  };
}

/** `lore list`: installed packages with versions, from the receipts; with `--prefix`, of that prefix only. */
export const handler: Handler<LoreFlags> = async (ctx) => {
  const session = openLoreSession(ctx);
  const prefix = ctx.options.prefix === undefined ? undefined : prefixOf(ctx, session);
  const installed = (await readInstalled(session.store)).filter((pkg) => prefix === undefined || pkg.prefix === prefix);
  if (ctx.out.isJson) {
    ctx.out.json({ version: JSON_FORMAT_VERSION, packages: installed.map(installedJson) });
    return EXIT.ok;
  }
  if (installed.length === 0) {
    ctx.out.line(`no packages installed${prefix === undefined ? '' : ` in ${prefix}`} (no lore receipt says so)`, true);
    return EXIT.ok;
  }
  ctx.out.table(
    [{ title: 'PACKAGE' }, { title: 'VERSION' }, { title: 'PREFIX' }, { title: 'INSTALLED' }, { title: 'RECEIPT' }],
    installed.map((pkg) => [pkg.name + (pkg.requested ? '' : ' (dependency)'), pkg.version, pkg.prefix, shortTime(pkg.installedAt), pkg.receipt]),
  );
  return EXIT.ok;
};
