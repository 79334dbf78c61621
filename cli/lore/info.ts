import { EXIT } from '../exit-codes.js';
import type { Handler } from '../program.js';
import { JSON_FORMAT_VERSION } from '../receipts/common.js';
import { openLoreRegistry, openLoreSession, readInstalled, type LoreFlags } from './common.js';
import { installedJson } from './list.js';

/** `lore info PKG`: a package's manifest in short, and where it is installed. */
export const handler: Handler<LoreFlags> = async (ctx) => {
  const session = openLoreSession(ctx);
  const registry = openLoreRegistry(ctx, session);
  const name = ctx.args[0] ?? '';
  const manifest = await registry.manifest(name);
  const installed = (await readInstalled(session.store)).filter((pkg) => pkg.name === name);
  const features = Object.entries(manifest.features).map(([key, spec]) => ({ name: key, description: spec.description, default: spec.default }));
  const settings = Object.entries(manifest.settings).map(([key, spec]) => ({
    name: key,
    type: spec.type,
    description: spec.description,
    ...(spec.default === undefined ? {} : { default: spec.default }),
    ...(spec.values === undefined ? {} : { values: spec.values }),
  }));
  const phases = Object.keys(manifest.phases);
  if (ctx.out.isJson) {
    const { version, description, depends, conflicts, platforms } = manifest;
    const summary = { name: manifest.name, version, description, depends, conflicts, platforms, features, settings, phases };
    ctx.out.json({ version: JSON_FORMAT_VERSION, package: summary, installed: installed.map(installedJson) });
    return EXIT.ok;
  }
  const out = ctx.out;
  out.line(`${out.paint('bold', manifest.name)} ${manifest.version} — ${manifest.description}`, true);
  if (manifest.homepage !== undefined) out.line(`homepage:  ${manifest.homepage}`);
  if (manifest.license !== undefined) out.line(`license:   ${manifest.license}`);
  out.line(`platforms: ${manifest.platforms.join(', ') || 'any'}`);
  out.line(`depends:   ${manifest.depends.join(', ') || '-'}`);
  out.line(`phases:    ${phases.join(' → ')}`);
  for (const feature of features) out.line(`feature    ${feature.name}${feature.default ? ' (default on)' : ''}: ${feature.description}`);
  for (const setting of settings) {
    const values = setting.values === undefined ? setting.type : setting.values.join('|');
    out.line(`setting    ${setting.name}=<${values}>${setting.default === undefined ? '' : ` (default ${String(setting.default)})`}: ${setting.description}`);
  }
  if (installed.length === 0) out.line('installed: no');
  for (const pkg of installed) out.line(`installed: ${pkg.version} in ${pkg.prefix} (receipt ${pkg.receipt})`);
  return EXIT.ok;
};
