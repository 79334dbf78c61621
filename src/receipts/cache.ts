import { createHash, createHmac, randomBytes, timingSafeEqual, type Hmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Graph, Tool } from '../graph/index.js';
import { stringifyInPieces } from './json-pieces.js';
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
  /**
   * Optionally, the same value straight from the text of a receipt whose bytes matched its
   * checksum (so it is exactly what the canonical writer produced), without parsing it; it
   * returns undefined to have the receipt parsed and `derive` used instead.
   */
  scan?(text: string, check: ReceiptCheck): T | undefined;
  /** Optionally, the JSON-serialisable form stored in the cache (default: the value itself). */
  toCache?(value: T): unknown;
  /** The inverse of `toCache`; undefined makes a malformed entry a miss. */
  fromCache?(cached: unknown): T | undefined;
}

/** Makes the {@link DeriveSpec} for the receipt `stem` of `tool`, or undefined when it does not apply. */
export type DeriveSpecFactory = (stem: string, tool: Tool) => DeriveSpec<unknown> | undefined;

const writeIndexes = new Set<DeriveSpecFactory>();

/**
 * Registers a derivation that `ReceiptStore.write` computes and caches for every receipt it
 * writes, so that the receipts our own tools write are never read cold. Registering the same
 * factory twice is harmless.
 */
export function registerReceiptIndex(factory: DeriveSpecFactory): void {
  writeIndexes.add(factory);
}

/** The derivations registered with {@link registerReceiptIndex}. */
export function receiptIndexes(): readonly DeriveSpecFactory[] {
  return [...writeIndexes];
}

interface CacheEntry {
  readonly v: 2;
  /** Key id and base64 public key that verified the signature; null when unsigned. */
  readonly signer: { readonly key_id: string; readonly public_key: string } | null;
  readonly value: unknown;
}

// An entry is one JSON line, then, when the store has a MAC key, a line `hmac-sha256:<hex>`
// over the derivation, the file name, the receipt's key and the JSON line.
const MAC_PREFIX = '\nhmac-sha256:';

/**
 * Derived data of verified receipts, keyed by SHA-256 of (derivation, file name, a key that
 * identifies the receipt's exact bytes, see `hashReceipt`): a changed byte or a renamed file
 * misses the cache and is verified from scratch. A hit still requires the signer to be trusted
 * *now*. With a MAC key (derived from the signing key, which lives in the config dir, not here),
 * every entry carries an HMAC binding it to the receipt's bytes and an entry without a valid
 * one is a miss: someone who can write the state dir but not read the signing key cannot forge
 * a view. Without a MAC key the cache guards against accidents only. `receipts verify` never
 * uses it.
 */
export class ReceiptCache {
  readonly root: string;
  private readonly macKey: Uint8Array | undefined;
  /** Fan-out directories known to exist (a view can put a thousand entries). */
  private readonly directories = new Set<string>();

  constructor(root: string, options: { readonly macKey?: Uint8Array } = {}) {
    this.root = root;
    this.macKey = options.macKey;
  }

  /** The cached value, or undefined on a miss (or when the signer is no longer trusted). */
  async get<T>(
    spec: DeriveSpec<T>,
    fileName: string,
    receiptKey: string,
    trusted: TrustedKeys,
    requireSignature: boolean,
  ): Promise<T | undefined> {
    let text: string;
    try {
      // Synchronous: small files on a local disk, read one after another (measured faster).
      text = fs.readFileSync(this.fileFor(spec, fileName, receiptKey), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const json = this.authenticated(text, spec, fileName, receiptKey);
    const entry = json === undefined ? undefined : parseEntry(json);
    if (entry === undefined) return undefined;
    if (entry.signer === null) {
      if (requireSignature) return undefined;
    } else {
      const key = trusted.get(entry.signer.key_id);
      if (key === undefined || Buffer.from(key).toString('base64') !== entry.signer.public_key) return undefined;
    }
    return spec.fromCache === undefined ? (entry.value as T) : spec.fromCache(entry.value);
  }

  /** Stores a value derived from a receipt that passed `check`. */
  async put<T>(
    spec: DeriveSpec<T>,
    fileName: string,
    receiptKey: string,
    check: ReceiptCheck,
    trusted: TrustedKeys,
    value: T,
  ): Promise<void> {
    const signer = signerOf(check, trusted);
    const entry: CacheEntry = { v: 2, signer, value: spec.toCache === undefined ? value : spec.toCache(value) };
    const file = this.fileFor(spec, fileName, receiptKey);
    const mac = this.macHasher(spec, fileName, receiptKey);
    // Atomic (temp file and rename) but not durable: a lost entry is only a miss.
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = this.openTemp(temp);
    try {
      try {
        // Written and MACed piece by piece: the JSON of a 50k-link run's digest is ~12 MB, and
        // as one string it would sit in the heap until the next full collection, just when a
        // large run peaks. fs and hmac encode each piece into native memory freed at once.
        stringifyInPieces(entry, (piece) => {
          // libuv writes all of a piece, looping over short writes.
          fs.writeSync(fd, piece);
          mac?.update(piece);
        });
        if (mac !== undefined) fs.writeSync(fd, `${MAC_PREFIX}${mac.digest('hex')}`);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }

  /** Creates `temp` for writing; its fan-out directory is made the first time it is missing. */
  private openTemp(temp: string): number {
    const directory = path.dirname(temp);
    if (!this.directories.has(directory)) {
      fs.mkdirSync(directory, { recursive: true });
      this.directories.add(directory);
    }
    try {
      return fs.openSync(temp, 'wx');
    } catch (error) {
      // The cache directory was deleted while this store was alive: make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(directory, { recursive: true });
      return fs.openSync(temp, 'wx');
    }
  }

  /** The JSON of an entry whose MAC checks out (any entry when there is no MAC key). */
  private authenticated(text: string, spec: DeriveSpec<unknown>, fileName: string, receiptKey: string): string | undefined {
    const at = text.lastIndexOf(MAC_PREFIX);
    const json = at < 0 ? text : text.slice(0, at);
    if (this.macKey === undefined) return json;
    if (at < 0) return undefined;
    const found = Buffer.from(text.slice(at + MAC_PREFIX.length), 'hex');
    const expected = Buffer.from(this.macOf(json, spec, fileName, receiptKey) ?? '', 'hex');
    return found.byteLength === expected.byteLength && timingSafeEqual(found, expected) ? json : undefined;
  }

  private macOf(json: string, spec: DeriveSpec<unknown>, fileName: string, receiptKey: string): string | undefined {
    return this.macHasher(spec, fileName, receiptKey)?.update(json).digest('hex');
  }

  /** The entry's HMAC, bound to the derivation, the file name and the receipt's key; the JSON follows. */
  private macHasher(spec: DeriveSpec<unknown>, fileName: string, receiptKey: string): Hmac | undefined {
    if (this.macKey === undefined) return undefined;
    return createHmac('sha256', this.macKey).update(`${spec.name}/${spec.version}\0${fileName}\0${receiptKey}\0`);
  }

  private fileFor(spec: DeriveSpec<unknown>, fileName: string, receiptKey: string): string {
    const key = createHash('sha256').update(`${spec.name}/${spec.version}\0${fileName}\0${receiptKey}`).digest('hex');
    return path.join(this.root, key.slice(0, 2), `${key.slice(2)}.json`);
  }
}

/**
 * The cache's MAC key from the signing key file's bytes: a one-way function of the secret, never
 * the secret itself. Hashing the file rather than decoding the key keeps key parsing and
 * checking off every view; undefined when there is no signing key.
 */
export function cacheMacKey(signingKeyFile: string): Uint8Array | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(signingKeyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return createHash('sha256').update('writ-lore/receipt-cache/v1\0').update(bytes).digest();
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
  if (typeof value !== 'object' || value === null || !('v' in value) || value.v !== 2) return undefined;
  return value as CacheEntry;
}
