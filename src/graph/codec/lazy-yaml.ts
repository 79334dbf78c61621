/**
 * The `yaml` package, loaded on first use. Most runs read their documents through the fast
 * line reader and never need the full parser; loading it lazily keeps it off their start-up.
 * Only the functions the readers use are re-exported, with the package's own types.
 */
import { createRequire } from 'node:module';
import type * as YamlLibrary from 'yaml';
import type { LineCounter } from 'yaml';

let yamlLibrary: typeof YamlLibrary | undefined;

/** The whole `yaml` package, required on the first call. */
export function yamlLib(): typeof YamlLibrary {
  yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof YamlLibrary;
  return yamlLibrary;
}

export const isAlias = ((node: unknown) => yamlLib().isAlias(node)) as typeof YamlLibrary.isAlias;
export const isMap = ((node: unknown) => yamlLib().isMap(node)) as typeof YamlLibrary.isMap;
export const isScalar = ((node: unknown) => yamlLib().isScalar(node)) as typeof YamlLibrary.isScalar;
export const isSeq = ((node: unknown) => yamlLib().isSeq(node)) as typeof YamlLibrary.isSeq;
export const parseDocument = ((...args: Parameters<typeof YamlLibrary.parseDocument>) =>
  yamlLib().parseDocument(...args)) as typeof YamlLibrary.parseDocument;
export const newLineCounter = (): LineCounter => new (yamlLib().LineCounter)();
