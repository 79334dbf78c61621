import path from 'node:path';
import { sealGraph, type Graph } from '../graph/index.js';
import { writeFileAtomic } from './atomic.js';
import type { KeyStore } from './keys.js';

/**
 * Saves a plan for `--out` (DESIGN.md §3): sealed with a checksum for the file's name, and
 * signed when a signing key exists. Returns the checksum and whether it was signed.
 */
export async function savePlan(
  file: string,
  plan: Graph,
  keys: KeyStore | undefined,
): Promise<{ readonly checksum: string; readonly signed: boolean }> {
  const key = await keys?.signingKey();
  const basename = path.basename(file);
  const sealed = sealGraph(plan, { basename, ...(key === undefined ? {} : { secretKey: key.secretKey }) });
  await writeFileAtomic(path.resolve(file), sealed.bytes);
  return { checksum: sealed.graph.checksum ?? '', signed: key !== undefined };
}
