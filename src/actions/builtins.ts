import { archiveProvider } from './archive/index.js';
import { contentProvider } from './content/index.js';
import { fileProvider } from './file/index.js';
import { flowProvider } from './flow/index.js';
import { netProvider } from './net/index.js';
import { pkgProvider } from './pkg/index.js';
import { ActionRegistry } from './registry.js';
import { secretProvider } from './secret/index.js';
import { shellProvider } from './shell/index.js';
import type { ActionProvider } from './types.js';

/** Every built-in provider: file, content, secret, net, archive, shell, pkg, flow. */
export const builtinProviders: readonly ActionProvider[] = [
  fileProvider,
  contentProvider,
  secretProvider,
  netProvider,
  archiveProvider,
  shellProvider,
  pkgProvider,
  flowProvider,
];

/**
 * A registry holding every action of `providers` (default: {@link builtinProviders}). A name
 * provided twice is an error.
 *
 * @example
 * const registry = createDefaultRegistry();
 * registry.get('file.link');
 */
export function createDefaultRegistry(
  providers: readonly ActionProvider[] = builtinProviders,
): ActionRegistry {
  const registry = new ActionRegistry();
  for (const provider of providers) registry.registerProvider(provider);
  return registry;
}
