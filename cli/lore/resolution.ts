import type { Resolution } from '../../src/index.js';
import type { Output } from '../output.js';

/** The resolution as table rows: package, version, reason, features on, settings. */
export function resolutionRows(resolution: Resolution): string[][] {
  return resolution.packages.map((pkg) => [
    pkg.name,
    pkg.version,
    pkg.reason,
    Object.entries(pkg.features).filter(([, on]) => on).map(([name]) => name).join(',') || '-',
    Object.entries(pkg.settings).map(([name, value]) => `${name}=${String(value)}`).join(',') || '-',
  ]);
}

/** Prints the resolution table. */
export function printResolution(out: Output, resolution: Resolution): void {
  out.table(
    [{ title: 'PACKAGE' }, { title: 'VERSION' }, { title: 'REASON' }, { title: 'FEATURES' }, { title: 'SETTINGS' }],
    resolutionRows(resolution),
  );
}

/** The JSON form of a resolution. */
export function resolutionJson(resolution: Resolution): unknown[] {
  return resolution.packages.map((pkg) => ({
    name: pkg.name,
    version: pkg.version,
    reason: pkg.reason,
    features: pkg.features,
    settings: pkg.settings,
    ...(pkg.source === undefined ? {} : { source: pkg.source }),
  }));
}
