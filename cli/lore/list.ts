import { EXIT } from '../exit-codes.js';
import type { Handler } from '../program.js';
import { shortTime } from '../receipts/common.js';
import { openLoreSession, readInstalled, type LoreFlags } from './common.js';

/** `lore list`: installed packages with versions, from the receipts. */
export const handler: Handler<LoreFlags> = async (ctx) => {
  const session = openLoreSession(ctx);
  const installed = await readInstalled(session.store);
  if (ctx.out.isJson) {
    ctx.out.json(installed.map((pkg) => ({ ...pkg, depends: [...pkg.depends] })));
    return EXIT.ok;
  }
  if (installed.length === 0) {
    ctx.out.line('no packages installed (no lore receipt says so)', true);
    return EXIT.ok;
  }
  ctx.out.table(
    [{ title: 'PACKAGE' }, { title: 'VERSION' }, { title: 'PREFIX' }, { title: 'INSTALLED' }, { title: 'RECEIPT' }],
    installed.map((pkg) => [pkg.name + (pkg.requested ? '' : ' (dependency)'), pkg.version, pkg.prefix, shortTime(pkg.installedAt), pkg.receipt]),
  );
  return EXIT.ok;
};
