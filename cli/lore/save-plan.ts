import path from 'node:path';
import { computeChecksum, signGraph, writeFileAtomic, writeGraphYaml, type Graph, type KeyStore } from '../../src/index.js';

/**
 * Saves a lore plan for `--out`: sealed with a checksum for the file's name, and signed when a
 * signing key exists (DESIGN.md §3). Returns the checksum and whether it was signed.
 */
export async function saveLorePlan(file: string, graph: Graph, keys: KeyStore | undefined): Promise<{ checksum: string; signed: boolean }> {
  const { checksum: _checksum, signature: _signature, ...plan } = graph;
  const basename = path.basename(file);
  const key = await keys?.signingKey();
  const sealed = key === undefined ? { ...plan, checksum: computeChecksum(plan, basename) } : signGraph(plan, key.secretKey, basename);
  await writeFileAtomic(path.resolve(file), writeGraphYaml(sealed));
  return { checksum: sealed.checksum ?? '', signed: key !== undefined };
}
