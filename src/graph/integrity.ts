/**
 * Integrity of graph documents (DESIGN.md §3): a git-style SHA-256 checksum over the canonical
 * content and an Ed25519 signature over that checksum. Pure functions: keys travel as bytes
 * (tweetnacl's forms) or as one-line text, never through files here. Keys are made and
 * signatures checked with tweetnacl; signing and the seed check of a secret key go through
 * Node's native Ed25519 (OpenSSL), which gives the same bytes (Ed25519 is deterministic) in
 * microseconds instead of the ~20 ms tweetnacl's scalar multiplication costs cold, once per
 * receipt and once per key read.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { canonicalChunks, sealYaml } from './codec/index.js';
import { WritLoreError, assertNever } from './errors.js';
import type { Graph, Signature } from './types.js';

/** The domain separation prefix of every graph signature. */
export const SIGNATURE_CONTEXT = 'writ-lore/graph/v1\n';

/**
 * `"sha256:" + hex(SHA-256(type + " " + basename + " " + byteLength + "\0" + content))`:
 * git's object hashing with the file's basename bound in, so a renamed receipt no longer matches.
 * A list of chunks is hashed as their concatenation, without making it.
 */
export function gitStyleChecksum(type: string, basename: string, content: string | Uint8Array | readonly Uint8Array[]): string {
  const chunks = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : ArrayBuffer.isView(content) ? [content] : content;
  let byteLength = 0;
  for (const chunk of chunks) byteLength += chunk.byteLength;
  const hash = gitStyleHasher(type, basename, byteLength);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
}

/** {@link gitStyleChecksum} fed a piece at a time, for content whose length is known first. */
export function gitStyleHasher(type: string, basename: string, byteLength: number): { update(chunk: Uint8Array): void; digest(): string } {
  const hash = createHash('sha256');
  hash.update(`${type} ${basename} ${byteLength}\0`, 'utf8');
  return {
    update: (chunk) => {
      hash.update(chunk);
    },
    digest: () => `sha256:${hash.digest('hex')}`,
  };
}

/** The checksum of a graph saved as `basename` (`plan` for an unsaved plan). */
export function computeChecksum(graph: Graph, basename = 'plan'): string {
  return gitStyleChecksum('graph', basename, canonicalChunks(graph));
}

/** Options of {@link sealGraph} and {@link sealContent}. */
export interface SealOptions {
  /** The file name the graph is saved under (bound into the checksum). */
  readonly basename: string;
  /** Signs the checksum when given. */
  readonly secretKey?: Uint8Array;
}

/**
 * The seal of a graph's canonical content whose checksum is `checksum`: the sealed graph
 * (`content` with its checksum and, given a key, its signature) and the seal's own canonical
 * lines, which follow the content in the document (`checksum` and `signature` are the last keys
 * in canonical order).
 */
export function sealContent(
  content: Graph,
  checksum: string,
  secretKey: Uint8Array | undefined,
): { readonly graph: Graph; readonly seal: Buffer } {
  const signature = secretKey === undefined ? undefined : signChecksum(checksum, secretKey);
  const stamp = signature === undefined ? { checksum } : { checksum, signature };
  return { graph: { ...content, ...stamp }, seal: sealYaml(stamp) };
}

/**
 * Seals `graph` for saving as `basename`: its checksum, its signature when `secretKey` is
 * given, and the document's bytes, emitting the canonical YAML once (the same bytes as
 * `writeGraphYaml` of the sealed graph). The input is not modified.
 */
export function sealGraph(graph: Graph, options: SealOptions): { readonly graph: Graph; readonly bytes: Buffer } {
  const { checksum: _checksum, signature: _signature, ...content } = graph;
  const chunks = canonicalChunks(content);
  const sealed = sealContent(content, gitStyleChecksum('graph', options.basename, chunks), options.secretKey);
  return { graph: sealed.graph, bytes: Buffer.concat([...chunks, sealed.seal]) };
}

/** An Ed25519 key pair in tweetnacl form (the 64-byte secret key ends with the public key). */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh random Ed25519 key pair. */
export function generateKeyPair(): KeyPair {
  const pair = nacl.sign.keyPair();
  return { publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/** `ed25519:` + the first 16 hex digits of SHA-256(public key). */
export function keyId(publicKey: Uint8Array): string {
  return `ed25519:${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`;
}

function signedBytes(checksum: string): Uint8Array {
  return Buffer.from(SIGNATURE_CONTEXT + checksum, 'utf8');
}

/** Strict base64: only the one canonical spelling of the bytes is accepted, else undefined. */
function decodeBase64(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

/** A copy of `graph` with its checksum (for `basename`) set and signed with `secretKey`. */
export function signGraph(graph: Graph, secretKey: Uint8Array, basename = 'plan'): Graph {
  const checksum = computeChecksum(graph, basename);
  return { ...graph, checksum, signature: signChecksum(checksum, secretKey) };
}

/** The Ed25519 signature of `checksum` (what a graph's `signature` holds). */
export function signChecksum(checksum: string, secretKey: Uint8Array): Signature {
  if (secretKey.byteLength !== nacl.sign.secretKeyLength) {
    throw new WritLoreError('invalid-input', `an Ed25519 secret key has ${nacl.sign.secretKeyLength} bytes, got ${secretKey.byteLength}`);
  }
  const value = sign(null, signedBytes(checksum), privateKeyOf(secretKey)).toString('base64');
  return { method: 'ed25519', key_id: keyId(secretKey.slice(32)), value };
}

const privateKeys = new WeakMap<Uint8Array, KeyObject>();

/** The native form of a tweetnacl secret key (seed ‖ public key), made once per key. */
function privateKeyOf(secretKey: Uint8Array): KeyObject {
  let key = privateKeys.get(secretKey);
  if (key === undefined) {
    const jwk = { kty: 'OKP', crv: 'Ed25519', d: base64url(secretKey.subarray(0, 32)), x: base64url(secretKey.subarray(32)) };
    key = createPrivateKey({ key: jwk, format: 'jwk' });
    privateKeys.set(secretKey, key);
  }
  return key;
}

/** The public key of a tweetnacl secret key's seed, derived (its stored public half ignored). */
function derivedPublicKey(secretKey: Uint8Array): Uint8Array {
  const x = createPublicKey(privateKeyOf(secretKey)).export({ format: 'jwk' }).x;
  return Buffer.from(x ?? '', 'base64url');
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** True when `signature` is a valid Ed25519 signature of `checksum` by `publicKey`. */
export function verifySignature(checksum: string, signature: Signature, publicKey: Uint8Array): boolean {
  const bytes = decodeBase64(signature.value);
  if (bytes?.byteLength !== nacl.sign.signatureLength || publicKey.byteLength !== nacl.sign.publicKeyLength) {
    return false;
  }
  return nacl.sign.detached.verify(signedBytes(checksum), bytes, publicKey);
}

/** The outcome of {@link verifyGraph}; only `verified` and `unsigned` are acceptable. */
export type VerifyResult =
  | { readonly kind: 'verified'; readonly keyId: string }
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'missing-checksum' }
  | { readonly kind: 'checksum-mismatch'; readonly expected: string; readonly found: string }
  | { readonly kind: 'signature-required' }
  | { readonly kind: 'unknown-key'; readonly keyId: string }
  | { readonly kind: 'bad-signature'; readonly keyId: string };

/** Options of {@link verifyGraph}. */
export interface VerifyOptions {
  /** The file name the graph was saved under (default `plan`). */
  readonly basename?: string;
  /** Public keys whose signatures are accepted, by key id or as a list. */
  readonly trustedKeys: ReadonlyMap<string, Uint8Array> | readonly Uint8Array[];
  /** Treat an unsigned graph as a failure (default false). */
  readonly requireSignature?: boolean;
}

function trustedKeyOf(trusted: VerifyOptions['trustedKeys'], id: string): Uint8Array | undefined {
  if (!Array.isArray(trusted)) return (trusted as ReadonlyMap<string, Uint8Array>).get(id);
  return (trusted as readonly Uint8Array[]).find((key) => keyId(key) === id);
}

/** Checks the checksum against the canonical content and the signature against trusted keys. */
export function verifyGraph(graph: Graph, options: VerifyOptions): VerifyResult {
  const found = graph.checksum;
  if (found === undefined) return { kind: 'missing-checksum' };
  const expected = computeChecksum(graph, options.basename);
  if (found !== expected) return { kind: 'checksum-mismatch', expected, found };
  const signature = graph.signature;
  if (signature === undefined) {
    return options.requireSignature === true ? { kind: 'signature-required' } : { kind: 'unsigned' };
  }
  const publicKey = trustedKeyOf(options.trustedKeys, signature.key_id);
  if (publicKey === undefined) return { kind: 'unknown-key', keyId: signature.key_id };
  if (!verifySignature(found, signature, publicKey)) return { kind: 'bad-signature', keyId: signature.key_id };
  return { kind: 'verified', keyId: signature.key_id };
}

/**
 * A phrase naming exactly what is wrong (`not signed`, `signed by untrusted key <id>`,
 * `checksum mismatch (the file was changed or renamed)`…), or undefined when the result is acceptable.
 */
export function describeVerifyProblem(result: VerifyResult): string | undefined {
  switch (result.kind) {
    case 'verified':
    case 'unsigned':
      return undefined;
    case 'missing-checksum':
      return 'no checksum (not a sealed file, or the seal was removed)';
    case 'checksum-mismatch':
      return `checksum mismatch (the file was changed or renamed): expected ${result.expected}, found ${result.found}`;
    case 'signature-required':
      return 'not signed (a signature is required)';
    case 'unknown-key':
      return `signed by untrusted key ${result.keyId}`;
    case 'bad-signature':
      return `signature by ${result.keyId} does not match (the file or its signature was changed)`;
    default:
      return assertNever(result, 'verify result');
  }
}

/** What to do about a failed verification: depends on which check failed. */
export function verifyProblemHint(result: VerifyResult): string {
  switch (result.kind) {
    case 'signature-required':
    case 'unsigned':
      return "sign it: run 'receipts keygen' where it is written, then write it again (or drop --require-signature)";
    case 'unknown-key':
      return `if you trust the signer, trust their public key with 'receipts trust FILE.pub' (key ${result.keyId})`;
    case 'checksum-mismatch':
      return 'the checksum binds the file name too: use the name it was saved under, or re-create it';
    case 'verified':
    case 'missing-checksum':
    case 'bad-signature':
      return 'do not use this file; re-create it';
    default:
      return assertNever(result, 'verify result');
  }
}

/** Like {@link verifyGraph}, but throws `WritLoreError('integrity')` naming the problem. */
export function assertVerified(graph: Graph, options: VerifyOptions & { readonly path?: string }): VerifyResult {
  const result = verifyGraph(graph, options);
  const problem = describeVerifyProblem(result);
  if (problem !== undefined) {
    throw new WritLoreError('integrity', problem, {
      ...(options.path === undefined ? {} : { path: options.path }),
      hint: verifyProblemHint(result),
    });
  }
  return result;
}

/** Options of the key decoders. */
export interface KeyTextOptions {
  /** The file the text came from, named in error messages. */
  readonly path?: string;
}

// Key text format: one line, `ed25519-public:<base64 of the 32-byte key>` or
// `ed25519-secret:<base64 of the 64-byte tweetnacl secret key (seed ‖ public key)>`.
const PUBLIC_PREFIX = 'ed25519-public:';
const SECRET_PREFIX = 'ed25519-secret:';

function decodeKeyText(text: string, prefix: string, length: number, options: KeyTextOptions): Uint8Array {
  const bytes = text.startsWith(prefix) ? decodeBase64(text.slice(prefix.length)) : undefined;
  if (bytes?.byteLength !== length) {
    throw new WritLoreError('invalid-input', `not an ${prefix.slice(0, -1)} key: expected "${prefix}" and base64 of ${length} bytes`, {
      ...(options.path === undefined ? {} : { path: options.path }),
    });
  }
  return bytes;
}

/** `ed25519-public:<base64>`: a public key as one line of text. */
export function encodePublicKey(publicKey: Uint8Array): string {
  return PUBLIC_PREFIX + Buffer.from(publicKey).toString('base64');
}

/** Reads a public key written by {@link encodePublicKey}; malformed text is `invalid-input`. */
export function decodePublicKey(text: string, options: KeyTextOptions = {}): Uint8Array {
  return decodeKeyText(text, PUBLIC_PREFIX, nacl.sign.publicKeyLength, options);
}

/** `ed25519-secret:<base64>`: a secret key as one line of text (keep it mode 0600). */
export function encodeSecretKey(secretKey: Uint8Array): string {
  return SECRET_PREFIX + Buffer.from(secretKey).toString('base64');
}

/** Reads a secret key written by {@link encodeSecretKey}; checks its public half matches its seed. */
export function decodeSecretKey(text: string, options: KeyTextOptions = {}): Uint8Array {
  const secretKey = decodeKeyText(text, SECRET_PREFIX, nacl.sign.secretKeyLength, options);
  if (!Buffer.from(derivedPublicKey(secretKey)).equals(secretKey.subarray(32))) {
    throw new WritLoreError('invalid-input', 'corrupt ed25519 secret key: its public half does not match its seed', {
      ...(options.path === undefined ? {} : { path: options.path }),
    });
  }
  return secretKey;
}
