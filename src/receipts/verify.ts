import { computeChecksum, type Graph } from '../graph/index.js';
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
  const problems: string[] = [];
  const expected = computeChecksum(graph, fileName);
  const checksum = graph.checksum === undefined ? 'missing' : graph.checksum === expected ? 'ok' : 'mismatch';
  if (checksum === 'missing') problems.push('has no checksum');
  if (checksum === 'mismatch') problems.push('checksum mismatch: the content or the file name was changed');
  const signature = signatureStatus(graph, trusted);
  switch (signature.kind) {
    case 'valid':
      break;
    case 'unsigned':
      if (options.requireSignature === true) problems.push('is unsigned and a signature is required');
      break;
    case 'untrusted':
      problems.push(`is signed by ${signature.keyId}, which is not trusted`);
      break;
    case 'invalid':
      problems.push(`signature by ${signature.keyId} does not match`);
      break;
    default:
      signature satisfies never;
  }
  return { fileName, checksum, signature, problems };
}

function signatureStatus(graph: Graph, trusted: TrustedKeys): SignatureStatus {
  const signature = graph.signature;
  if (signature === undefined) return { kind: 'unsigned' };
  const publicKey = trusted.get(signature.key_id);
  if (publicKey === undefined) return { kind: 'untrusted', keyId: signature.key_id };
  // The signature covers the checksum string; a missing checksum cannot verify.
  const isValid = graph.checksum !== undefined && verifySignatureNative(graph.checksum, signature, publicKey);
  return isValid ? { kind: 'valid', keyId: signature.key_id } : { kind: 'invalid', keyId: signature.key_id };
}
