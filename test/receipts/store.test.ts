import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, ReceiptStore, isWritLoreError, parseGraph } from '../../src/index.js';
import { makeTempDir, removeTempDir, sampleGraph } from './helpers.js';

let dir: string;
let store: ReceiptStore;
let keys: KeyStore;

beforeEach(async () => {
  dir = await makeTempDir();
  keys = new KeyStore(path.join(dir, 'config'));
  store = new ReceiptStore({ stateDir: path.join(dir, 'state'), keys });
});
afterEach(async () => removeTempDir(dir));

async function expectIntegrityError(promise: Promise<unknown>, fileName: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isWritLoreError(error, 'integrity')).toBe(true);
  expect(String(error)).toContain(fileName);
}

describe('ReceiptStore.write', () => {
  it('names the receipt after the tool and the graph timestamp in UTC', async () => {
    const written = await store.write(sampleGraph({ timestamp: '2026-11-01T12:34:56.789Z' }));
    expect(path.basename(written.path)).toBe('writ-2026-11-01T12-34-56-789Z.yaml');
    expect(written.graph.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(written.graph.signature).toBeUndefined();
  });

  it('adds -2, -3 suffixes instead of overwriting a receipt of the same instant', async () => {
    const graph = sampleGraph();
    const names = [];
    for (let i = 0; i < 3; i += 1) names.push(path.basename((await store.write(graph)).path));
    expect(names).toEqual([
      'writ-2026-11-01T12-00-00-000Z.yaml',
      'writ-2026-11-01T12-00-00-000Z-2.yaml',
      'writ-2026-11-01T12-00-00-000Z-3.yaml',
    ]);
    for (const name of names) await expect(store.load(name)).resolves.toMatchObject({ tool: 'writ' });
  });

  it('computes the checksum over the final (suffixed) file name', async () => {
    await store.write(sampleGraph());
    const second = await store.write(sampleGraph());
    await fs.copyFile(second.path, store.pathOf('writ-2026-11-01T12-00-00-000Z-9'));
    await expect(store.load('writ-2026-11-01T12-00-00-000Z-2')).resolves.toBeDefined();
    await expectIntegrityError(store.load('writ-2026-11-01T12-00-00-000Z-9'), 'writ-2026-11-01T12-00-00-000Z-9.yaml');
  });

  it('signs with the signing key when one exists', async () => {
    const key = await keys.generate();
    const written = await store.write(sampleGraph());
    expect(written.graph.signature?.key_id).toBe(key.keyId);
    const { check } = await store.inspect(written.stem);
    expect(check.signature).toEqual({ kind: 'valid', keyId: key.keyId });
  });

  it('refuses a pending graph', async () => {
    await expect(store.write(sampleGraph({ state: 'pending' }))).rejects.toThrow(/plan, not a receipt/);
  });

  it('writes for every final state', async () => {
    for (const state of ['executed', 'failed', 'rolled_back', 'interrupted'] as const) {
      const written = await store.write(sampleGraph({ state }));
      expect((await store.load(written.stem)).state).toBe(state);
    }
  });

  it('leaves no temp files behind', async () => {
    await store.write(sampleGraph());
    expect(await fs.readdir(store.layout.receipts)).toEqual(['writ-2026-11-01T12-00-00-000Z.yaml']);
  });
});

describe('ReceiptStore.list', () => {
  beforeEach(async () => {
    await store.write(sampleGraph({ timestamp: '2026-11-03T00:00:00.000Z' }));
    await store.write(sampleGraph({ timestamp: '2026-11-01T00:00:00.000Z', tool: 'lore' }));
    await store.write(sampleGraph({ timestamp: '2026-11-02T00:00:00.000Z' }));
    await fs.writeFile(path.join(store.layout.receipts, 'notes.txt'), 'x');
    await fs.writeFile(path.join(store.layout.receipts, 'writ-latest.yaml'), 'x');
  });

  it('sorts by time and skips files that are not receipts', async () => {
    expect((await store.list()).map((entry) => entry.timestamp)).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
    ]);
  });

  it('treats since and until as inclusive bounds', async () => {
    const entries = await store.list({
      since: new Date('2026-11-02T00:00:00.000Z'),
      until: new Date('2026-11-03T00:00:00.000Z'),
    });
    expect(entries.map((entry) => entry.stem)).toEqual(['writ-2026-11-02T00-00-00-000Z', 'writ-2026-11-03T00-00-00-000Z']);
  });

  it('filters by tool', async () => {
    expect((await store.list({ tools: ['lore'] })).map((entry) => entry.tool)).toEqual(['lore']);
  });

  it('returns the latest receipt of a tool', async () => {
    expect((await store.latest('writ'))?.stem).toBe('writ-2026-11-03T00-00-00-000Z');
    expect((await store.latest('lore'))?.stem).toBe('lore-2026-11-01T00-00-00-000Z');
  });

  it('returns an empty list when the receipts directory does not exist', async () => {
    const empty = new ReceiptStore({ stateDir: path.join(dir, 'nowhere') });
    expect(await empty.list()).toEqual([]);
    expect(await empty.latest()).toBeUndefined();
  });
});

describe('ReceiptStore.load', () => {
  it('returns the graph that was written', async () => {
    await keys.generate();
    const written = await store.write(sampleGraph({ nodes: 5 }));
    expect(await store.load(written.stem)).toEqual(written.graph);
  });

  it('detects any single-byte change of a signed receipt and names the file', async () => {
    await keys.generate();
    const written = await store.write(sampleGraph({ nodes: 4 }));
    const original = await fs.readFile(written.path);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, delta) => {
        const changed = Buffer.from(original);
        changed[at] = ((changed[at] ?? 0) + delta) % 256;
        await fs.writeFile(written.path, changed);
        await expectIntegrityError(store.load(written.stem), path.basename(written.path));
      }),
      { numRuns: 150 },
    );
  });

  it('reports a receipt signed by an untrusted key', async () => {
    const other = new KeyStore(path.join(dir, 'other-config'));
    await other.generate();
    const foreign = new ReceiptStore({ stateDir: store.layout.root, keys: other });
    const written = await foreign.write(sampleGraph());
    await expectIntegrityError(store.load(written.stem), 'signed by untrusted key ed25519:');
    await keys.trust(other.layout.signingPublicKey);
    const trusting = new ReceiptStore({ stateDir: store.layout.root, keys });
    await expect(trusting.load(written.stem)).resolves.toBeDefined();
  });

  it('loads an unsigned receipt unless a signature is required', async () => {
    const written = await store.write(sampleGraph());
    await expect(store.load(written.stem)).resolves.toBeDefined();
    const strict = new ReceiptStore({ stateDir: store.layout.root, keys, requireSignature: true });
    await expectIntegrityError(strict.load(written.stem), 'not signed');
  });

  it('reports a removed signature as unsigned, which a strict store refuses', async () => {
    await keys.generate();
    const written = await store.write(sampleGraph());
    const text = await fs.readFile(written.path, 'utf8');
    const stripped = text.replace(/\nsignature:\n(?: {2}.*\n)+/, '\n');
    expect(stripped).not.toContain('signature');
    await fs.writeFile(written.path, stripped);
    const { check } = await store.inspect(written.stem);
    expect(check.signature.kind).toBe('unsigned');
    const strict = new ReceiptStore({ stateDir: store.layout.root, keys, requireSignature: true });
    await expectIntegrityError(strict.load(written.stem), 'not signed');
  });

  it('names a missing receipt as not-found', async () => {
    await expect(store.load('writ-2026-01-01T00-00-00-000Z')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('parses the written file strictly', async () => {
    const written = await store.write(sampleGraph());
    const text = await fs.readFile(written.path, 'utf8');
    expect(parseGraph(text).checksum).toBe(written.graph.checksum);
  });
});

describe('ReceiptStore.derive', () => {
  const spec = { name: 'count', version: 1, derive: (graph: { nodes: readonly unknown[] }) => graph.nodes.length };

  it('caches derived values and still detects a changed receipt', async () => {
    const written = await store.write(sampleGraph({ nodes: 3 }));
    expect(await store.derive(written.stem, spec)).toBe(3);
    expect(await store.derive(written.stem, spec)).toBe(3);
    const text = await fs.readFile(written.path, 'utf8');
    await fs.writeFile(written.path, text.replace('link-1', 'link-9'));
    await expectIntegrityError(store.derive(written.stem, spec), path.basename(written.path));
  });

  it('misses the cache when the signer is no longer trusted', async () => {
    await keys.generate();
    const written = await store.write(sampleGraph());
    expect(await store.derive(written.stem, spec)).toBe(3);
    await fs.rm(keys.layout.signingPublicKey);
    await fs.rm(keys.layout.signingKey);
    const fresh = new ReceiptStore({ stateDir: store.layout.root, keys });
    await expectIntegrityError(fresh.derive(written.stem, spec), 'signed by untrusted key ed25519:');
  });
});
