import { EXIT } from '../exit-codes.js';
import type { Handler } from '../program.js';
import { JSON_FORMAT_VERSION } from '../receipts/common.js';
import { openLoreRegistry, openLoreSession, type LoreFlags } from './common.js';

/** `lore search TERM`: registry packages whose name or description contains TERM (any case). */
export const handler: Handler<LoreFlags> = async (ctx) => {
  const session = openLoreSession(ctx);
  const registry = openLoreRegistry(ctx, session);
  const term = (ctx.args[0] ?? '').toLowerCase();
  const index = await registry.index();
  const found = index.packages.filter((pkg) => pkg.name.includes(term) || pkg.description.toLowerCase().includes(term));
  if (ctx.out.isJson) {
    ctx.out.json({ version: JSON_FORMAT_VERSION, packages: found.map(({ name, version, description }) => ({ name, version, description })) });
    return EXIT.ok;
  }
  if (found.length === 0) {
    ctx.out.line(`no package matches "${ctx.args[0] ?? ''}" in ${registry.location}`, true);
    return EXIT.ok;
  }
  ctx.out.table([{ title: 'PACKAGE' }, { title: 'VERSION' }, { title: 'DESCRIPTION' }], found.map((pkg) => [pkg.name, pkg.version, pkg.description]));
  return EXIT.ok;
};
