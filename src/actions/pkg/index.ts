import type { ActionProvider } from '../types.js';
import { pkgInstall } from './pkg-install.js';
import { pkgRemove } from './pkg-remove.js';

export { pkgInstall } from './pkg-install.js';
export { pkgRemove } from './pkg-remove.js';
export { PACKAGE_MANAGERS, packageManager, type ManagerName, type PackageManager } from './managers.js';
export type { PackageUndoState } from './package-run.js';

/** The package actions: `pkg.install` and `pkg.remove`. */
export const pkgProvider: ActionProvider = { name: 'pkg', actions: [pkgInstall, pkgRemove] };
