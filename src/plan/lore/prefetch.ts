import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pLimit from 'p-limit';
import { WritLoreError, errorMessage } from '../../graph/index.js';
import type { Graph, Node } from '../../graph/index.js';

/** Options of {@link prefetchDownloads}. */
export interface PrefetchOptions {
  /** The cache: files land in `<cacheDir>/downloads/<sha256 hex>`. */
  readonly cacheDir: string;
  /** Downloads at once (default 4). */
  readonly jobs?: number;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Told when one download could not be prefetched (the plan then fetches it itself). */
  readonly onMiss?: (url: string, error: WritLoreError) => void;
}

/** What {@link prefetchDownloads} did. */
export interface PrefetchReport {
  /** URLs fetched now, or found in the cache with the right digest. */
  readonly fetched: readonly string[];
  readonly cached: readonly string[];
  /** URLs left to the plan's own `net.download` (and its phase's retry policy). */
  readonly missed: readonly string[];
  /** The plan with prefetched downloads pointing at the cache. */
  readonly graph: Graph;
}

/**
 * Downloads every `http(s)` source of a plan's `net.download` nodes concurrently into a
 * content-addressed cache, verified by sha256, then points those nodes at the cached copy
 * (`file://`) and records the original in the annotation `lore.url`. The saga runs phases one
 * after another, so this is where independent packages' downloads overlap. A download that
 * fails here is left to the plan (it keeps its URL, so its phase's retries and the receipt's
 * attempts tell the story).
 */
export async function prefetchDownloads(graph: Graph, options: PrefetchOptions): Promise<PrefetchReport> {
  const limit = pLimit(Math.max(1, options.jobs ?? 4));
  const dir = join(options.cacheDir, 'downloads');
  const fetched: string[] = [];
  const cached: string[] = [];
  const missed: string[] = [];
  const byDigest = new Map<string, Promise<string | undefined>>();
  const nodes = await Promise.all(
    graph.nodes.map(async (node): Promise<Node> => {
      const url = node.action === 'net.download' ? httpUrl(node) : undefined;
      const hex = sha256Hex(node);
      if (url === undefined || hex === undefined) return node;
      let pending = byDigest.get(hex);
      if (pending === undefined) {
        pending = limit(() => fetchInto(url, join(dir, hex), hex, options, { fetched, cached, missed }));
        byDigest.set(hex, pending);
      }
      const file = await pending;
      if (file === undefined) return node;
      return {
        ...node,
        slots: { ...node.slots, url: { kind: 'immediate', value: pathToFileURL(file).href } },
        annotations: { ...node.annotations, 'lore.url': url },
      };
    }),
  );
  return { fetched, cached, missed, graph: { ...graph, nodes } };
}

interface Tally {
  readonly fetched: string[];
  readonly cached: string[];
  readonly missed: string[];
}

async function fetchInto(url: string, file: string, hex: string, options: PrefetchOptions, tally: Tally): Promise<string | undefined> {
  if (digestOf(file) === hex) {
    tally.cached.push(url);
    return file;
  }
  try {
    const response = await (options.fetch ?? fetch)(url, { redirect: 'follow', ...(options.signal === undefined ? {} : { signal: options.signal }) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new WritLoreError('action-failed', `prefetch ${url}: HTTP ${response.status}`);
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== hex) throw new WritLoreError('integrity', `prefetch ${url}: sha256 mismatch (expected ${hex}, got ${actual})`);
    mkdirSync(join(file, '..'), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, file).catch(async (error: unknown) => {
      await unlink(temp);
      throw error;
    });
    tally.fetched.push(url);
    return file;
  } catch (error) {
    const wrapped = error instanceof WritLoreError ? error : new WritLoreError('action-failed', `prefetch ${url}: ${errorMessage(error)}`, { cause: error });
    options.onMiss?.(url, wrapped);
    tally.missed.push(url);
    return undefined;
  }
}

function httpUrl(node: Node): string | undefined {
  const slot = node.slots['url'];
  if (slot?.kind !== 'immediate' || typeof slot.value !== 'string') return undefined;
  return /^https?:\/\//i.test(slot.value) ? slot.value : undefined;
}

function sha256Hex(node: Node): string | undefined {
  const slot = node.slots['sha256'];
  if (slot?.kind !== 'immediate' || typeof slot.value !== 'string') return undefined;
  const hex = slot.value.replace(/^sha256:/, '');
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

function digestOf(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
