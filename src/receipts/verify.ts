import { createHash } from 'node:crypto';
import { computeChecksum, gitStyleChecksum, splitSealedYaml, type Graph, type SealedBytes } from '../graph/index.js';
import { verifySignatureNative } from './ed25519.js';
import type { TrustedKeys } from './keys.js';

/** What a receipt's signature amounts to. */
export type SignatureStatus =
  | { readonly kind: 'valid'; readonly keyId: string }
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'untrusted'; readonly keyId: string }
  | { readonly kind: 'invalid'; readonly keyId: string };

/** The integrity of one receipt: checksum and signature, and every problem in words. */
export interface ReceiptCheck {
  readonly fileName: string;
  readonly checksum: 'ok' | 'missing' | 'mismatch';
  readonly signature: SignatureStatus;
  /** Empty when the receipt may be used. */
  readonly problems: readonly string[];
}

/** Options of {@link checkReceipt}. */
export interface CheckOptions {
  /** Treat an unsigned receipt as a problem (default false). */
  readonly requireSignature?: boolean;
}

/**
 * Checks a parsed receipt against the checksum for its file name (DESIGN.md §3) and its
 * signature against the trusted keys. Never throws for a mismatch: it reports.
 */
export function checkReceipt(
  graph: Graph,
  fileName: string,
  trusted: TrustedKeys,
  options: CheckOptions = {},
): ReceiptCheck {
  const expected = computeChecksum(graph, fileName);
  const checksum = graph.checksum === undefined ? 'missing' : graph.checksum === expected ? 'ok' : 'mismatch';
  return assembleCheck(fileName, checksum, signatureStatus(graph, trusted), options);
}

/**
 * A receipt file's bytes, hashed once. A receipt in canonical form is its canonical content
 * followed by its seal, so hashing the bytes before the seal gives the checksum it should carry
 * (DESIGN.md §3), and that hash with the seal's bytes identifies the whole file: the cache key.
 */
export interface HashedReceipt {
  /** Identifies the file's exact bytes (hex): what derived-value cache entries are keyed by. */
  readonly key: string;
  /** The seal, when the document has one in canonical form. */
  readonly sealed?: SealedBytes;
  /** The git-style checksum of the bytes before the seal, when there is a seal. */
  readonly contentChecksum?: string;
}

/** Hashes a receipt file's bytes once (see {@link HashedReceipt}). */
export function hashReceipt(bytes: Uint8Array, fileName: string): HashedReceipt {
  const sealed = splitSealedYaml(bytes);
  if (sealed === undefined) return { key: createHash('sha256').update(bytes).digest('hex') };
  return hashedSealed(bytes, sealed, gitStyleChecksum('graph', fileName, sealed.content));
}

/**
 * The {@link HashedReceipt.key} of a document this process has just sealed with `checksum`,
 * from its seal's bytes alone (see `sealContent`): no hashing of the content, no need for it.
 */
export function sealedReceiptKey(checksum: string, seal: Uint8Array): string {
  return createHash('sha256').update(`${checksum}\0`).update(seal).digest('hex');
}

function hashedSealed(bytes: Uint8Array, sealed: SealedBytes, contentChecksum: string): HashedReceipt {
  return { key: sealedReceiptKey(contentChecksum, bytes.subarray(sealed.content.byteLength)), sealed, contentChecksum };
}

/**
 * The check of a receipt from its bytes, without parsing: the checksum is compared with the
 * hash of the bytes before the seal. A match proves the bytes are exactly those the writer
 * sealed (hence canonical), so the caller may parse them without re-emitting them. Undefined
 * when this cannot decide (no seal in canonical form, or a mismatch): the caller then parses
 * and uses {@link checkReceipt}, which gives the same verdict with the usual messages.
 */
export function checkReceiptBytes(
  hashed: HashedReceipt,
  fileName: string,
  trusted: TrustedKeys,
  options: CheckOptions = {},
): ReceiptCheck | undefined {
  const { sealed, contentChecksum } = hashed;
  if (sealed === undefined || contentChecksum !== sealed.checksum) return undefined;
  return assembleCheck(fileName, 'ok', signatureStatus(sealed, trusted), options);
}

/** The check of a graph this process has just sealed (its checksum is right by construction). */
export function checkSealedReceipt(graph: Graph, fileName: string, trusted: TrustedKeys, options: CheckOptions = {}): ReceiptCheck {
  return assembleCheck(fileName, graph.checksum === undefined ? 'missing' : 'ok', signatureStatus(graph, trusted), options);
}

function assembleCheck(
  fileName: string,
  checksum: ReceiptCheck['checksum'],
  signature: SignatureStatus,
  options: CheckOptions,
): ReceiptCheck {
  // Each phrase says exactly which check failed: only a checksum or signature mismatch means a change.
  const problems: string[] = [];
  if (checksum === 'missing') problems.push('no checksum');
  if (checksum === 'mismatch') problems.push('checksum mismatch (the file was changed or renamed)');
  switch (signature.kind) {
    case 'valid':
      break;
    case 'unsigned':
      if (options.requireSignature === true) problems.push('not signed (a signature is required)');
      break;
    case 'untrusted':
      problems.push(`signed by untrusted key ${signature.keyId}`);
      break;
    case 'invalid':
      problems.push(`signature by ${signature.keyId} does not match (the file or its signature was changed)`);
      break;
    default:
      signature satisfies never;
  }
  return { fileName, checksum, signature, problems };
}

function signatureStatus(graph: Pick<Graph, 'checksum' | 'signature'>, trusted: TrustedKeys): SignatureStatus {
  const signature = graph.signature;
  if (signature === undefined) return { kind: 'unsigned' };
  const publicKey = trusted.get(signature.key_id);
  if (publicKey === undefined) return { kind: 'untrusted', keyId: signature.key_id };
  // The signature covers the checksum string; a missing checksum cannot verify.
  const isValid = graph.checksum !== undefined && verifySignatureNative(graph.checksum, signature, publicKey);
  return isValid ? { kind: 'valid', keyId: signature.key_id } : { kind: 'invalid', keyId: signature.key_id };
}

/** What to do about a receipt that failed its check: depends on which check failed. */
export function integrityHint(check: Pick<ReceiptCheck, 'checksum' | 'signature'>): string {
  if (check.checksum !== 'ok' || check.signature.kind === 'invalid') {
    return 'the receipt was changed after it was written; restore it from a backup or delete it';
  }
  if (check.signature.kind === 'untrusted') {
    return `if you trust the signer, trust their public key with 'receipts trust FILE.pub' (key ${check.signature.keyId})`;
  }
  return "receipts written before 'receipts keygen' are not signed; drop --require-signature to read them";
}
