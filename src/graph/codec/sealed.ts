/**
 * A sealed canonical YAML document is its canonical content followed by the seal (`checksum`
 * and `signature` are the last keys of the schema; see `sealYaml`). Splitting the file's bytes
 * there gives exactly the bytes the checksum was computed over, so a reader can hash them
 * directly instead of parsing and re-emitting the document.
 */
import type { Graph, Signature } from '../types.js';
import { readCanonicalYaml } from './fast-read.js';
import { sealYaml } from './write.js';

/** A sealed document split at its seal. */
export interface SealedBytes {
  /** The bytes before the seal: what the checksum covers when the document is canonical. */
  readonly content: Uint8Array;
  readonly checksum: string;
  readonly signature?: Signature;
}

const SEAL_START = Buffer.from('\nchecksum: ', 'utf8');

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sealOf(value: unknown): Pick<Graph, 'checksum' | 'signature'> | undefined {
  if (!isRecord(value) || typeof value['checksum'] !== 'string') return undefined;
  const keys = Object.keys(value);
  if (keys.length === 1) return { checksum: value['checksum'] };
  const signature = value['signature'];
  if (keys.length !== 2 || !isRecord(signature) || Object.keys(signature).length !== 3) return undefined;
  const { method, key_id: keyId, value: text } = signature;
  if (method !== 'ed25519' || typeof keyId !== 'string' || typeof text !== 'string') return undefined;
  return { checksum: value['checksum'], signature: { method, key_id: keyId, value: text } };
}

/**
 * Splits a canonical YAML document at its seal: the top-level `checksum:` line and, after it,
 * at most a `signature` block, in exactly the canonical spelling (re-emitted and compared).
 * Undefined when the document has no such seal (unsealed, JSON, or edited around the seal);
 * callers then parse the document in full. This proves nothing about the content: the caller
 * compares its hash with the checksum.
 */
export function splitSealedYaml(bytes: Uint8Array): SealedBytes | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.lastIndexOf(SEAL_START);
  if (at < 0) return undefined;
  const tail = buffer.subarray(at + 1);
  // The seal is a few hundred bytes; anything longer is not one.
  if (tail.byteLength > 1024) return undefined;
  const read = readCanonicalYaml(tail.toString('utf8'));
  const seal = read === undefined ? undefined : sealOf(read.value);
  if (seal?.checksum === undefined || !sealYaml(seal).equals(tail)) return undefined;
  const content = buffer.subarray(0, at + 1);
  return seal.signature === undefined
    ? { content, checksum: seal.checksum }
    : { content, checksum: seal.checksum, signature: seal.signature };
}
