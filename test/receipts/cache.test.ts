import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KeyStore,
  ReceiptStore,
  hashReceipt,
  registerReceiptIndex,
  type DeriveSpec,
} from '../../src/receipts/index.js';
import { isWritLoreError, type Graph } from '../../src/graph/index.js';
import { makeTempDir, removeTempDir, sampleGraph } from './helpers.js';

let dir: string;
let keys: KeyStore;
let derivations = 0;

/** A derivation that counts how often it runs: a cache hit does not run it. */
const nodeCountSpec: DeriveSpec<{ nodes: number; first: string }> = {
  name: 'test-node-count',
  version: 1,
  derive: (graph: Graph) => {
    derivations += 1;
    return { nodes: graph.nodes.length, first: graph.nodes[0]?.id ?? '' };
  },
};
registerReceiptIndex((_stem, tool) => (tool === 'writ' ? nodeCountSpec : undefined));

/** A derivation whose value fails to serialise part way through a long list (when enabled). */
let failingIndex = false;
const failingSpec: DeriveSpec<unknown> = {
  name: 'test-failing',
  version: 1,
  derive: () => ({ items: Array.from({ length: 5000 }, (_, i) => (i === 4000 ? { toJSON: () => { throw new Error('no JSON'); } } : [`item-${i}`])) }),
};
registerReceiptIndex(() => (failingIndex ? failingSpec : undefined));

beforeEach(async () => {
  dir = await makeTempDir();
  keys = new KeyStore(path.join(dir, 'config'));
  derivations = 0;
});
afterEach(async () => removeTempDir(dir));

function storeWith(options: { keys?: KeyStore } = {}): ReceiptStore {
  return new ReceiptStore({ stateDir: path.join(dir, 'state'), ...options });
}

async function cacheFiles(store: ReceiptStore): Promise<string[]> {
  const files = await fs.readdir(store.layout.cache, { recursive: true }).catch(() => []);
  return files.filter((name) => name.endsWith('.json')).sort();
}

async function rewriteEntries(store: ReceiptStore, edit: (text: string) => string): Promise<void> {
  for (const file of await cacheFiles(store)) {
    const full = path.join(store.layout.cache, file);
    await fs.writeFile(full, edit(await fs.readFile(full, 'utf8')));
  }
}

describe('ReceiptStore.write indexing', () => {
  it('caches the registered derivations when it writes, so the first read is a hit', async () => {
    await keys.generate();
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 4 }));
    expect(derivations).toBe(1);
    const before = await cacheFiles(store);
    expect(before.length).toBeGreaterThan(0);
    const reader = storeWith({ keys });
    await expect(reader.derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 4, first: 'link-0' });
    expect(derivations).toBe(1);
    expect(await cacheFiles(reader)).toEqual(before);
  });

  it('skips derivations whose factory does not apply to the tool', async () => {
    const store = storeWith({ keys });
    await store.write(sampleGraph({ tool: 'lore' }));
    expect(derivations).toBe(0);
  });

  it('writes the same entry a cold read would (the entry written is the entry read)', async () => {
    await keys.generate();
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 6 }));
    const indexed = await cacheFiles(store);
    await fs.rm(store.layout.cache, { recursive: true });
    await expect(storeWith({ keys }).derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 6, first: 'link-0' });
    expect(derivations).toBe(2);
    expect(await cacheFiles(store)).toEqual(indexed);
  });
});

describe('ReceiptStore.write indexing failures', () => {
  afterEach(() => {
    failingIndex = false;
  });

  it('writes the receipt and leaves no partial entry when a derivation fails to serialise', async () => {
    await keys.generate();
    failingIndex = true;
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 3 }));
    expect((await fs.stat(written.path)).isFile()).toBe(true);
    const files = await fs.readdir(store.layout.cache, { recursive: true });
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // The other derivations were cached before it: reading them is a hit.
    expect(await cacheFiles(store)).toHaveLength(await cacheFilesOfAGoodRun());
  });
});

/** How many entries a run whose derivations all succeed leaves (the failing one excepted). */
async function cacheFilesOfAGoodRun(): Promise<number> {
  const store = new ReceiptStore({ stateDir: path.join(dir, 'good'), keys });
  await store.write(sampleGraph({ nodes: 3 }));
  return (await cacheFiles(store)).length;
}

describe('ReceiptStore.derive caching', () => {
  it('fills the cache again when its directory is deleted while the store is in use', async () => {
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 3 }));
    await fs.rm(store.layout.cache, { recursive: true });
    await expect(store.derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 3, first: 'link-0' });
    expect((await cacheFiles(store)).length).toBe(1);
  });
});

describe('a read-only ReceiptStore', () => {
  it('reads the cache but does not fill it on a miss, and refuses to write a receipt', async () => {
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 3 }));
    await fs.rm(store.layout.cache, { recursive: true });
    const reader = new ReceiptStore({ stateDir: path.join(dir, 'state'), keys, readOnly: true });
    await expect(reader.derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 3, first: 'link-0' });
    expect(await cacheFiles(store)).toEqual([]);
    await expect(reader.write(sampleGraph({ nodes: 1 }))).rejects.toMatchObject({ code: 'internal' });
    expect((await fs.readdir(store.layout.receipts)).length).toBe(1);
  });
});

describe('ReceiptStore.derive integrity', () => {
  it('refuses a receipt with one changed byte even though its old entry is cached', async () => {
    await keys.generate();
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 4 }));
    const bytes = await fs.readFile(written.path);
    const at = bytes.indexOf('file-2');
    bytes[at] = 'F'.charCodeAt(0);
    await fs.writeFile(written.path, bytes);
    const error: unknown = await storeWith({ keys }).derive(written.stem, nodeCountSpec).catch((thrown: unknown) => thrown);
    expect(isWritLoreError(error, 'integrity')).toBe(true);
    expect(String(error)).toContain(path.basename(written.path));
  });

  it('ignores a tampered cache entry when a signing key authenticates the cache', async () => {
    await keys.generate();
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 4 }));
    await rewriteEntries(store, (text) => text.replace('"nodes":4', '"nodes":40'));
    await expect(storeWith({ keys }).derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 4, first: 'link-0' });
    expect(derivations).toBe(2);
  });

  it('ignores an entry without a MAC, or with one moved from another receipt, when a signing key exists', async () => {
    await keys.generate();
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 4 }));
    await rewriteEntries(store, (text) => text.slice(0, text.lastIndexOf('\nhmac-sha256:')).replace('"nodes":4', '"nodes":40'));
    await expect(storeWith({ keys }).derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 4, first: 'link-0' });

    const other = await store.write(sampleGraph({ nodes: 2, timestamp: '2026-11-02T12:00:00.000Z' }));
    const key = (stem: string): Promise<string> => fs.readFile(store.pathOf(stem)).then((bytes) => hashReceipt(bytes, `${stem}.yaml`).key);
    expect(await key(written.stem)).not.toBe(await key(other.stem));
    const files = await cacheFiles(store);
    const texts = await Promise.all(files.map((file) => fs.readFile(path.join(store.layout.cache, file), 'utf8')));
    const otherEntry = texts.find((text) => text.includes('"nodes":2'));
    for (const [index, file] of files.entries()) {
      if (texts[index]?.includes('"nodes":4') === true && otherEntry !== undefined) {
        await fs.writeFile(path.join(store.layout.cache, file), otherEntry);
      }
    }
    await expect(storeWith({ keys }).derive(written.stem, nodeCountSpec)).resolves.toEqual({ nodes: 4, first: 'link-0' });
  });

  it('without a signing key, trusts its entries (documented: it guards against accidents only)', async () => {
    const store = storeWith();
    const written = await store.write(sampleGraph({ nodes: 4 }));
    expect((await cacheFiles(store)).length).toBeGreaterThan(0);
    await rewriteEntries(store, (text) => {
      expect(text).not.toContain('hmac-sha256');
      return text.replace('"nodes":4', '"nodes":40');
    });
    await expect(storeWith().derive(written.stem, nodeCountSpec)).resolves.toMatchObject({ nodes: 40 });
  });
});

describe('ReceiptStore.load from bytes', () => {
  it('reads a canonical receipt verified from its bytes exactly as parsed in full', async () => {
    await keys.generate();
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 5 }));
    const { graph, check } = await store.inspect(written.stem);
    expect(graph).toEqual(written.graph);
    expect(check).toMatchObject({ checksum: 'ok', signature: { kind: 'valid' }, problems: [] });
  });

  it('reports a changed seal as a checksum mismatch, as the full check does', async () => {
    const store = storeWith({ keys });
    const written = await store.write(sampleGraph({ nodes: 2 }));
    const text = await fs.readFile(written.path, 'utf8');
    await fs.writeFile(written.path, text.replace(/checksum: sha256:[0-9a-f]/, 'checksum: sha256:x'));
    const { check } = await store.inspect(written.stem);
    expect(check.checksum).toBe('mismatch');
  });
});
