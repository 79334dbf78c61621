import { createHash } from 'node:crypto';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
// Imported from the modules under test rather than the layer index, so that a half-written
// sibling file in src/graph cannot break this suite.
import { canonicalContent, graphToJson, parseGraph, writeGraphYaml } from '../../src/graph/codec/index.js';
import { WritLoreError } from '../../src/graph/errors.js';
import {
  assertVerified,
  computeChecksum,
  decodePublicKey,
  decodeSecretKey,
  encodePublicKey,
  encodeSecretKey,
  generateKeyPair,
  gitStyleChecksum,
  keyId,
  sealGraph,
  signChecksum,
  signGraph,
  verifyGraph,
  verifySignature,
} from '../../src/graph/integrity.js';
import type { VerifyResult } from '../../src/graph/integrity.js';
import type { Graph } from '../../src/graph/types.js';
import { buildPlanGraph } from '../../bench/lib/plan-graph.js';
import { graphArbitrary } from './codec-arbitraries.js';

const SEED = Uint8Array.from({ length: 32 }, (_, index) => index);
const KEYS = nacl.sign.keyPair.fromSeed(SEED);
const OTHER = nacl.sign.keyPair.fromSeed(Uint8Array.from({ length: 32 }, () => 7));

function smallGraph(): Graph {
  return buildPlanGraph(12);
}

describe('gitStyleChecksum', () => {
  it('hashes "type basename length\\0content" (known answer, computed independently)', () => {
    const content = 'héllo\n';
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from('graph plan 7\0'), Buffer.from(content)])).digest('hex');
    expect(gitStyleChecksum('graph', 'plan', content)).toBe(`sha256:${expected}`);
    expect(gitStyleChecksum('graph', 'plan', Buffer.from(content))).toBe(`sha256:${expected}`);
  });

  it('matches a fixed digest for the empty content', () => {
    // sha256("graph plan 0\0"), computed once with `printf 'graph plan 0\0' | sha256sum`.
    const expected = createHash('sha256').update('graph plan 0\u0000').digest('hex');
    expect(gitStyleChecksum('graph', 'plan', '')).toBe(`sha256:${expected}`);
    expect(gitStyleChecksum('graph', 'plan', '')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['type', ['receipt', 'plan', 'x']],
    ['basename', ['graph', 'writ-2026.yaml', 'x']],
    ['content', ['graph', 'plan', 'y']],
  ] as const)('gives a different digest for a different %s', (_name, [type, basename, content]) => {
    expect(gitStyleChecksum(type, basename, content)).not.toBe(gitStyleChecksum('graph', 'plan', 'x'));
  });
});

describe('computeChecksum', () => {
  it('covers the canonical content under the given basename', () => {
    const graph = smallGraph();
    expect(computeChecksum(graph)).toBe(gitStyleChecksum('graph', 'plan', canonicalContent(graph)));
    expect(computeChecksum(graph, 'writ-1.yaml')).not.toBe(computeChecksum(graph));
  });

  it('ignores an existing checksum and signature', () => {
    const graph = smallGraph();
    const signed = signGraph(graph, KEYS.secretKey);
    expect(computeChecksum(signed)).toBe(computeChecksum(graph));
  });
});

describe('keys', () => {
  it('derives the key id from SHA-256 of the public key', () => {
    const hex = createHash('sha256').update(KEYS.publicKey).digest('hex').slice(0, 16);
    expect(keyId(KEYS.publicKey)).toBe(`ed25519:${hex}`);
  });

  it('generates distinct 32/64-byte key pairs', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.publicKey.byteLength).toBe(32);
    expect(a.secretKey.byteLength).toBe(64);
    expect(keyId(a.publicKey)).not.toBe(keyId(b.publicKey));
  });

  it('encodes keys as one line of text and reads them back', () => {
    const pair = generateKeyPair();
    expect(encodePublicKey(pair.publicKey)).toMatch(/^ed25519-public:[A-Za-z0-9+/]+=*$/);
    expect(decodePublicKey(encodePublicKey(pair.publicKey))).toEqual(pair.publicKey);
    expect(decodeSecretKey(encodeSecretKey(pair.secretKey))).toEqual(pair.secretKey);
  });

  it.each([
    ['a missing prefix', (text: string) => text.slice('ed25519-secret:'.length)],
    ['a truncated key', (text: string) => text.slice(0, -8)],
    ['a corrupted public half', (text: string) => `${text.slice(0, -4)}AAA=`],
    ['a public key', () => encodePublicKey(KEYS.publicKey)],
  ])('rejects secret key text with %s', (_name, corrupt) => {
    const text = corrupt(encodeSecretKey(KEYS.secretKey));
    expect(() => decodeSecretKey(text, { path: 'signing.key' })).toThrow(WritLoreError);
  });
});

describe('signChecksum', () => {
  // Ed25519 signatures are deterministic (RFC 8032): the native signer must give tweetnacl's
  // bytes exactly, for any key and any checksum, or old and new receipts would disagree.
  it('signs exactly as tweetnacl does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), (seed, checksum) => {
        const pair = nacl.sign.keyPair.fromSeed(seed);
        const expected = nacl.sign.detached(Buffer.from(`writ-lore/graph/v1\n${checksum}`, 'utf8'), pair.secretKey);
        const signature = signChecksum(checksum, pair.secretKey);
        expect(signature).toEqual({ method: 'ed25519', key_id: keyId(pair.publicKey), value: Buffer.from(expected).toString('base64') });
        expect(verifySignature(checksum, signature, pair.publicKey)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a secret key of the wrong size', () => {
    expect(() => signChecksum('sha256:00', KEYS.secretKey.slice(0, 32))).toThrow(/64 bytes, got 32/);
  });
});

describe('signGraph and verifyGraph', () => {
  it('verifies a signed graph with the trusted key, given as a map or a list', () => {
    const signed = signGraph(smallGraph(), KEYS.secretKey, 'writ-1.yaml');
    const id = keyId(KEYS.publicKey);
    expect(signed.signature).toMatchObject({ method: 'ed25519', key_id: id });
    expect(verifyGraph(signed, { basename: 'writ-1.yaml', trustedKeys: new Map([[id, KEYS.publicKey]]) })).toEqual({ kind: 'verified', keyId: id });
    expect(verifyGraph(signed, { basename: 'writ-1.yaml', trustedKeys: [OTHER.publicKey, KEYS.publicKey] })).toEqual({ kind: 'verified', keyId: id });
  });

  it('signs the bytes "writ-lore/graph/v1\\n" + checksum', () => {
    const signed = signGraph(smallGraph(), KEYS.secretKey);
    const message = Buffer.from(`writ-lore/graph/v1\n${signed.checksum ?? ''}`);
    expect(nacl.sign.detached.verify(message, Buffer.from(signed.signature?.value ?? '', 'base64'), KEYS.publicKey)).toBe(true);
  });

  it('does not change the graph it signs', () => {
    const graph = smallGraph();
    const before = writeGraphYaml(graph);
    signGraph(graph, KEYS.secretKey);
    expect(writeGraphYaml(graph)).toBe(before);
  });

  const signed = signGraph(smallGraph(), KEYS.secretKey);
  const trusted = [KEYS.publicKey];
  const sealedOnly: Graph = { ...smallGraph(), checksum: computeChecksum(smallGraph()) };
  it.each<[string, Graph, Parameters<typeof verifyGraph>[1], VerifyResult['kind'], RegExp | undefined]>([
    ['an unsigned graph', sealedOnly, { trustedKeys: trusted }, 'unsigned', undefined],
    ['an unsigned graph when a signature is required', sealedOnly, { trustedKeys: trusted, requireSignature: true }, 'signature-required', /^not signed/],
    ['a graph without checksum', smallGraph(), { trustedKeys: trusted }, 'missing-checksum', /no checksum/],
    ['a changed node', { ...signed, nodes: signed.nodes.map((node, index) => (index === 3 ? { ...node, status: 'completed' } : node)) }, { trustedKeys: trusted }, 'checksum-mismatch', /^checksum mismatch \(the file was changed or renamed\): expected sha256:[0-9a-f]{64}, found sha256:/],
    ['another basename', signed, { trustedKeys: trusted, basename: 'renamed.yaml' }, 'checksum-mismatch', /checksum mismatch/],
    ['an untrusted key', signed, { trustedKeys: [OTHER.publicKey] }, 'unknown-key', /^signed by untrusted key ed25519:[0-9a-f]{16}$/],
    ['a signature by another key under our key id', { ...signed, signature: { ...signGraph(smallGraph(), OTHER.secretKey).signature!, key_id: keyId(KEYS.publicKey) } }, { trustedKeys: trusted }, 'bad-signature', /does not match/],
    ['a non-canonical base64 signature', { ...signed, signature: { ...signed.signature!, value: `${signed.signature!.value.slice(0, -3)}B==` } }, { trustedKeys: trusted }, 'bad-signature', /does not match/],
  ])('reports %s', (_name, graph, options, kind, message) => {
    expect(verifyGraph(graph, options).kind).toBe(kind);
    if (message === undefined) {
      expect(() => assertVerified(graph, options)).not.toThrow();
    } else {
      expect(() => assertVerified(graph, { ...options, path: 'plan.yaml' })).toThrow(message);
      try {
        assertVerified(graph, options);
      } catch (error) {
        expect(error).toBeInstanceOf(WritLoreError);
        expect((error as WritLoreError).code).toBe('integrity');
      }
    }
  });

  it('verifies a signed graph after a YAML and a JSON round trip', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        const sealed = signGraph(graph, KEYS.secretKey, 'r.yaml');
        const options = { basename: 'r.yaml', trustedKeys: trusted };
        expect(verifyGraph(parseGraph(writeGraphYaml(sealed)), options).kind).toBe('verified');
        expect(verifyGraph(parseGraph(graphToJson(sealed)), options).kind).toBe('verified');
      }),
      { numRuns: 100 },
    );
  });
});

describe('tamper detection', () => {
  function isAccepted(text: string): boolean {
    let graph: Graph;
    try {
      graph = parseGraph(text);
    } catch (error) {
      if (error instanceof WritLoreError && error.code === 'invalid-input') return false;
      throw error;
    }
    return verifyGraph(graph, { basename: 'r.yaml', trustedKeys: [KEYS.publicKey] }).kind === 'verified';
  }

  it('detects any single-byte change anywhere in a signed YAML or JSON document', () => {
    fc.assert(
      fc.property(graphArbitrary, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (graph, asJson, flips) => {
        const sealed = signGraph(graph, KEYS.secretKey, 'r.yaml');
        const original = Buffer.from(asJson ? graphToJson(sealed) : writeGraphYaml(sealed), 'utf8');
        expect(isAccepted(original.toString('utf8'))).toBe(true);
        for (const [at, delta] of flips) {
          const bytes = Buffer.from(original);
          const index = at % bytes.length;
          bytes[index] = ((bytes[index] ?? 0) + delta) % 256;
          expect(isAccepted(bytes.toString('utf8'))).toBe(false);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('rejects an edited sealed document naming the first changed line, even when the data is the same', () => {
    const sealed = signGraph(
      { ...smallGraph(), nodes: [{ id: 'n', action: 'a', status: 'pending', slots: { v: { kind: 'immediate', value: null } } }], edges: [] },
      KEYS.secretKey,
    );
    const text = writeGraphYaml(sealed).replace('immediate: null', 'immediate: Null');
    expect(() => parseGraph(text, { path: 'r.yaml' })).toThrow(/not in canonical form/);
  });
});

describe('sealGraph', () => {
  it('seals with one emission to exactly the bytes writeGraphYaml gives the sealed graph', () => {
    const { secretKey } = generateKeyPair();
    fc.assert(
      fc.property(graphArbitrary, fc.boolean(), (graph, signed) => {
        const sealed = sealGraph(graph, { basename: 'writ-x.yaml', ...(signed ? { secretKey } : {}) });
        expect(sealed.bytes.toString('utf8')).toBe(writeGraphYaml(sealed.graph));
        expect(sealed.graph.checksum).toBe(computeChecksum(graph, 'writ-x.yaml'));
        if (signed) expect(sealed.graph.signature).toEqual(signGraph(graph, secretKey, 'writ-x.yaml').signature);
        else expect(sealed.graph.signature).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('replaces an old seal instead of keeping it', () => {
    const { secretKey } = generateKeyPair();
    const graph = graphArbitrarySample();
    const once = sealGraph(graph, { basename: 'a.yaml', secretKey }).graph;
    const again = sealGraph(once, { basename: 'b.yaml' });
    expect(again.graph.signature).toBeUndefined();
    expect(again.graph.checksum).toBe(computeChecksum(graph, 'b.yaml'));
  });
});

function graphArbitrarySample(): Graph {
  const [sample] = fc.sample(graphArbitrary, { numRuns: 1, seed: 7 });
  if (sample === undefined) throw new Error('no sample');
  return sample;
}
