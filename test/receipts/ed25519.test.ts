import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, signGraph, verifySignature, verifySignatureNative } from '../../src/index.js';
import { sampleGraph } from './helpers.js';

describe('verifySignatureNative', () => {
  const pair = generateKeyPair();
  const other = generateKeyPair();
  const signed = signGraph(sampleGraph(), pair.secretKey, 'writ-x.yaml');
  const checksum = signed.checksum ?? '';
  const signature = signed.signature ?? { method: 'ed25519' as const, key_id: '', value: '' };

  it('accepts what signGraph signs', () => {
    expect(verifySignatureNative(checksum, signature, pair.publicKey)).toBe(true);
    expect(verifySignatureNative(checksum, signature, other.publicKey)).toBe(false);
  });

  it('agrees with the graph layer on tampered checksums, signatures and keys', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: checksum.length - 1 }),
        fc.nat({ max: signature.value.length - 1 }),
        fc.constantFrom('A', 'B', '/', '+', '=', 'z'),
        fc.boolean(),
        (at, sigAt, replacement, tamperChecksum) => {
          const badChecksum = tamperChecksum ? checksum.slice(0, at) + replacement + checksum.slice(at + 1) : checksum;
          const value = tamperChecksum ? signature.value : signature.value.slice(0, sigAt) + replacement + signature.value.slice(sigAt + 1);
          const candidate = { ...signature, value };
          expect(verifySignatureNative(badChecksum, candidate, pair.publicKey)).toBe(verifySignature(badChecksum, candidate, pair.publicKey));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects malformed keys and signatures like the graph layer', () => {
    for (const value of ['', 'abc', `${signature.value}A`, signature.value.replace(/=*$/, '')]) {
      const candidate = { ...signature, value };
      expect(verifySignatureNative(checksum, candidate, pair.publicKey)).toBe(verifySignature(checksum, candidate, pair.publicKey));
    }
    expect(verifySignatureNative(checksum, signature, pair.publicKey.slice(1))).toBe(false);
  });
});
