import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Graph } from '../graph/index.js';
import { writeFileAtomic } from './atomic.js';
import type { TrustedKeys } from './keys.js';
import type { ReceiptCheck } from './verify.js';

/** How to derive a cacheable value from a verified receipt. */
export interface DeriveSpec<T> {
  /** Names the derived value; part of the cache key. */
  readonly name: string;
  /** Bump when `derive` changes, so old entries are ignored. */
  readonly version: number;
  /** Computes the value; it must be JSON-serialisable. */
  derive(graph: Graph, check: ReceiptCheck): T;
}

interface CacheEntry {
  readonly v: 1;
  /** Key id and base64 public key that verified the signature; null when unsigned. */
  readonly signer: { readonly key_id: string; readonly public_key: string } | null;
  readonly value: unknown;
}

/**
 * Derived data of verified receipts, keyed by SHA-256 of (file name, bytes, derivation): a
 * changed byte or a renamed file misses the cache and is verified from scratch. A hit still
 * requires the signer to be trusted *now*. The cache lives in the state dir, so it guards
 * against accidental change and speed, not against someone who can write the state dir; such a
 * person can equally delete receipts. `receipts verify` never uses it.
 */
export class ReceiptCache {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The cached value, or undefined on a miss (or when the signer is no longer trusted). */
  async get<T>(
    spec: DeriveSpec<T>,
    fileName: string,
    bytes: Uint8Array,
    trusted: TrustedKeys,
    requireSignature: boolean,
  ): Promise<T | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.fileFor(spec, fileName, bytes), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const entry = parseEntry(text);
    if (entry === undefined) return undefined;
    if (entry.signer === null) return requireSignature ? undefined : (entry.value as T);
    const key = trusted.get(entry.signer.key_id);
    if (key === undefined || Buffer.from(key).toString('base64') !== entry.signer.public_key) return undefined;
    return entry.value as T;
  }

  /** Stores a value derived from a receipt that passed `check`. */
  async put<T>(
    spec: DeriveSpec<T>,
    fileName: string,
    bytes: Uint8Array,
    check: ReceiptCheck,
    trusted: TrustedKeys,
    value: T,
  ): Promise<void> {
    const signer = signerOf(check, trusted);
    const entry: CacheEntry = { v: 1, signer, value };
    const file = this.fileFor(spec, fileName, bytes);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(entry), { durable: false });
  }

  private fileFor(spec: DeriveSpec<unknown>, fileName: string, bytes: Uint8Array): string {
    const hash = createHash('sha256')
      .update(`${spec.name}/${spec.version}\0${fileName}\0`)
      .update(bytes)
      .digest('hex');
    return path.join(this.root, hash.slice(0, 2), `${hash.slice(2)}.json`);
  }
}

function signerOf(check: ReceiptCheck, trusted: TrustedKeys): CacheEntry['signer'] {
  if (check.signature.kind !== 'valid') return null;
  const key = trusted.get(check.signature.keyId);
  return key === undefined ? null : { key_id: check.signature.keyId, public_key: Buffer.from(key).toString('base64') };
}

function parseEntry(text: string): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // A torn or damaged cache file is just a miss; the receipt itself is re-verified.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (typeof value !== 'object' || value === null || !('v' in value) || value.v !== 1) return undefined;
  return value as CacheEntry;
}
