import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { graphToJson, parseGraph, splitSealedYaml, writeGraphYaml } from '../../src/graph/codec/index.js';
import { computeChecksum, generateKeyPair, gitStyleChecksum, sealGraph } from '../../src/graph/integrity.js';
import { graphArbitrary } from './codec-arbitraries.js';

const pair = generateKeyPair();

describe('splitSealedYaml', () => {
  it('hashes the bytes before the seal to the checksum computed by re-emitting the parsed graph', () => {
    fc.assert(
      fc.property(graphArbitrary, fc.boolean(), (graph, isSigned) => {
        const basename = 'writ-2026-11-01T12-00-00-000Z.yaml';
        const sealed = sealGraph(graph, { basename, ...(isSigned ? { secretKey: pair.secretKey } : {}) });
        const split = splitSealedYaml(sealed.bytes);
        expect(split).toBeDefined();
        // The old definition: the checksum of the canonical content of the graph as read back.
        const reread = parseGraph(sealed.bytes.toString('utf8'));
        expect(gitStyleChecksum('graph', basename, split?.content ?? new Uint8Array())).toBe(computeChecksum(reread, basename));
        expect(split?.checksum).toBe(sealed.graph.checksum);
        expect(split?.signature).toEqual(sealed.graph.signature);
      }),
      { numRuns: 150 },
    );
  });

  it('finds no seal in an unsealed graph, a JSON graph, or a seal not spelt canonically', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        const { checksum: _checksum, signature: _signature, ...unsealed } = graph;
        expect(splitSealedYaml(Buffer.from(writeGraphYaml(unsealed)))).toBeUndefined();
        const sealed = sealGraph(unsealed, { basename: 'plan', secretKey: pair.secretKey });
        expect(splitSealedYaml(Buffer.from(graphToJson(sealed.graph)))).toBeUndefined();
        const text = sealed.bytes.toString('utf8');
        expect(splitSealedYaml(Buffer.from(text.replace(/\nchecksum: /, '\nchecksum:  ')))).toBeUndefined();
        expect(splitSealedYaml(Buffer.from(`${text}extra: 1\n`))).toBeUndefined();
        expect(splitSealedYaml(Buffer.from(text.replace('  method: ed25519\n', '')))).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  it('splits after the last top-level checksum line only', () => {
    const sealed = sealGraph(
      { version: '1', tool: 'writ', timestamp: '2026-11-01T12:00:00.000Z', state: 'pending', platform: { os: 'linux', arch: 'x64' },
        context: { settings: { checksum: 'sha256:0' } }, nodes: [], edges: [] },
      { basename: 'plan' },
    );
    const split = splitSealedYaml(sealed.bytes);
    expect(Buffer.from(split?.content ?? []).toString('utf8')).toContain('checksum: sha256:0\n');
    expect(split?.checksum).toBe(sealed.graph.checksum);
  });
});
