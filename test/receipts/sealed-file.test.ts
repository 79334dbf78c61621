import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, parseGraph, sealGraph, verifySignature, writeSealedFile, type Graph } from '../../src/index.js';
import { buildPlanGraph } from '../../bench/lib/plan-graph.js';
import { makeTempDir, removeTempDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('writ-lore-sealed-file-');
});
afterEach(async () => removeTempDir(dir));

describe('writeSealedFile', () => {
  it.each([
    ['a small graph', 3],
    ['a graph of several emitter chunks (> 1 MiB)', 6000],
  ])('writes exactly the bytes sealGraph makes, for %s, signed or not', async (_name, size) => {
    const graph = buildPlanGraph(size);
    const { secretKey, publicKey } = generateKeyPair();
    for (const key of [undefined, secretKey]) {
      const basename = `writ-${key === undefined ? 'unsigned' : 'signed'}-${size}.yaml`;
      const file = path.join(dir, basename);
      const options = key === undefined ? { basename } : { basename, secretKey: key };
      const written = await writeSealedFile(file, graph, options);
      const expected = sealGraph(graph, options);
      const bytes = fs.readFileSync(file);
      expect(bytes.equals(expected.bytes)).toBe(true);
      if (size > 1000) expect(bytes.byteLength).toBeGreaterThan(1 << 20);
      expect(written.graph).toEqual(expected.graph);
      expect(bytes.subarray(bytes.byteLength - written.seal.byteLength).equals(Buffer.from(written.seal))).toBe(true);
      if (key !== undefined) {
        const read: Graph = parseGraph(bytes.toString('utf8'));
        expect(read.signature !== undefined && verifySignature(read.checksum ?? '', read.signature, publicKey)).toBe(true);
      }
    }
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('never writes over an existing file, and leaves no temporary file behind', async () => {
    const file = path.join(dir, 'writ-taken.yaml');
    fs.writeFileSync(file, 'mine\n');
    await expect(writeSealedFile(file, buildPlanGraph(3), { basename: 'writ-taken.yaml' })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
    expect(fs.readdirSync(dir)).toEqual(['writ-taken.yaml']);
  });

  it('removes its temporary file when sealing fails midway', async () => {
    const file = path.join(dir, 'writ-bad-key.yaml');
    // A secret key of the wrong size fails after the content was written to the temporary file.
    await expect(writeSealedFile(file, buildPlanGraph(3), { basename: 'writ-bad-key.yaml', secretKey: new Uint8Array(7) })).rejects.toThrow(
      /secret key has 64 bytes/,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
