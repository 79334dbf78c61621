import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { lstatOrUndefined } from '../actions/index.js';
import path from 'node:path';
import { WritLoreError, errorMessage, parseGraph, type Graph, type Tool } from '../graph/index.js';
import { writeSealedFile } from './sealed-file.js';
import { ReceiptCache, cacheMacKey, receiptIndexes, type DeriveSpec } from './cache.js';
import { KeyStore, type TrustedKeys } from './keys.js';
import {
  JOURNAL_EXTENSION,
  compareReceiptNames,
  parseReceiptName,
  receiptFileName,
  receiptStem,
  stemOf,
  type ReceiptName,
} from './names.js';
import { stateLayout, type StateLayout } from './paths.js';
import {
  checkReceipt,
  checkReceiptBytes,
  checkSealedReceipt,
  hashReceipt,
  integrityHint,
  sealedReceiptKey,
  type HashedReceipt,
  type ReceiptCheck,
} from './verify.js';

/** Options of a {@link ReceiptStore}. */
export interface ReceiptStoreOptions {
  /** The state directory (see `resolveStateDir`). */
  readonly stateDir: string;
  /** Where keys live; without it nothing is signed and only signatures are not trusted. */
  readonly keys?: KeyStore;
  /** Refuse unsigned receipts on load (default false). */
  readonly requireSignature?: boolean;
  /**
   * Write nothing: derived values are read from the cache but a miss is not cached, and
   * writing a receipt is an internal error (default false). For dry runs, which write nothing
   * anywhere, the state directory included.
   */
  readonly readOnly?: boolean;
}

/** Filters of {@link ReceiptStore.list}; bounds are inclusive on the receipt time. */
export interface ListOptions {
  readonly since?: Date;
  readonly until?: Date;
  readonly tools?: readonly Tool[];
}

/** A receipt on disk: its parsed name and path. */
export interface ReceiptEntry extends ReceiptName {
  readonly fileName: string;
  readonly path: string;
}

/** Options of {@link ReceiptStore.write}. */
export interface WriteOptions {
  /** The stem reserved for this run (its journal's name); default: the first free name. */
  readonly stem?: string;
}

/**
 * Receipts under `<state>/receipts`: written atomically and never overwritten, listed by time,
 * verified (checksum and signature) on every load before anything is returned.
 *
 * @example
 * const store = new ReceiptStore({ stateDir: resolveStateDir(), keys: new KeyStore(resolveConfigDir()) });
 * const { stem } = await store.write(executedGraph);
 * const graph = await store.load(stem); // throws `integrity` (exit 4) if tampered with
 */
export class ReceiptStore {
  readonly layout: StateLayout;
  readonly keys: KeyStore | undefined;
  readonly requireSignature: boolean;
  /** See {@link ReceiptStoreOptions.readOnly}. */
  readonly readOnly: boolean;
  private trustedCache: Promise<TrustedKeys> | undefined;
  private cachePromise: Promise<ReceiptCache> | undefined;

  constructor(options: ReceiptStoreOptions) {
    this.layout = stateLayout(path.resolve(options.stateDir));
    this.keys = options.keys;
    this.requireSignature = options.requireSignature ?? false;
    this.readOnly = options.readOnly ?? false;
  }

  /** The path of a receipt by stem or file name. */
  pathOf(name: string): string {
    return path.join(this.layout.receipts, receiptFileName(stemOf(name)));
  }

  /** The path of the journal of the run recorded as `stem`. */
  journalPathOf(stem: string): string {
    return path.join(this.layout.receipts, stemOf(stem) + JOURNAL_EXTENSION);
  }

  /**
   * Reserves a fresh stem for a run of `graph` by creating its journal with `create` (which
   * must fail with EEXIST when the file exists); collisions get `-2`, `-3`… suffixes.
   */
  async reserve<T>(graph: Graph, create: (stem: string, journalPath: string) => Promise<T>): Promise<T> {
    this.assertWritable();
    await fs.mkdir(this.layout.receipts, { recursive: true });
    for (let sequence = 1; ; sequence += 1) {
      const stem = receiptStem(graph.tool, graph.timestamp, sequence);
      if (lstatOrUndefined(this.pathOf(stem)) !== undefined) continue;
      try {
        return await create(stem, this.journalPathOf(stem));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  /**
   * Writes `graph` as a receipt: checksum for the final file name, signature when a signing key
   * exists, atomic, never over an existing receipt (a name collision gets a suffix).
   */
  async write(graph: Graph, options: WriteOptions = {}): Promise<{ stem: string; path: string; graph: Graph }> {
    this.assertWritable();
    if (graph.state === 'pending') {
      throw new WritLoreError('invalid-input', 'a pending graph is a plan, not a receipt: run it first');
    }
    await fs.mkdir(this.layout.receipts, { recursive: true });
    const key = await this.keys?.signingKey();
    for (let sequence = 1; ; sequence += 1) {
      const stem = options.stem ?? receiptStem(graph.tool, graph.timestamp, sequence);
      if (options.stem === undefined && lstatOrUndefined(this.journalPathOf(stem)) !== undefined) continue;
      const fileName = receiptFileName(stem);
      try {
        const sealed = await writeSealedFile(this.pathOf(stem), graph, { basename: fileName, ...(key === undefined ? {} : { secretKey: key.secretKey }) });
        await this.index(stem, sealed.graph, sealed.seal);
        return { stem, path: this.pathOf(stem), graph: sealed.graph };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (options.stem !== undefined) {
          throw new WritLoreError('internal', `receipt ${fileName} already exists`, { path: this.pathOf(stem) });
        }
      }
    }
  }

  private assertWritable(): void {
    if (this.readOnly) throw new WritLoreError('internal', `the receipt store in ${this.layout.root} was opened read-only (a dry run)`);
  }

  /** Receipts matching `options`, oldest first. A missing receipts directory is an empty list. */
  async list(options: ListOptions = {}): Promise<ReceiptEntry[]> {
    const names = await this.fileNames();
    const since = options.since?.getTime() ?? -Infinity;
    const until = options.until?.getTime() ?? Infinity;
    const entries: ReceiptEntry[] = [];
    for (const fileName of names) {
      if (!fileName.endsWith('.yaml')) continue;
      const parsed = parseReceiptName(fileName);
      if (parsed === undefined || parsed.time < since || parsed.time > until) continue;
      if (options.tools !== undefined && !options.tools.includes(parsed.tool)) continue;
      entries.push({ ...parsed, fileName, path: path.join(this.layout.receipts, fileName) });
    }
    return entries.sort(compareReceiptNames);
  }

  /** The newest receipt (of `tool`, when given), or undefined. */
  async latest(tool?: Tool): Promise<ReceiptEntry | undefined> {
    const entries = await this.list(tool === undefined ? {} : { tools: [tool] });
    return entries[entries.length - 1];
  }

  /** Loads a receipt by stem or file name, verified; any mismatch is an `integrity` error. */
  async load(name: string): Promise<Graph> {
    const { graph, check } = await this.inspect(name);
    if (check.problems.length > 0) throw integrityError(this.pathOf(name), check);
    return graph;
  }

  /**
   * Parses and checks a receipt without throwing for integrity problems (for `verify`). A file
   * that does not parse is reported as an `integrity` error naming it.
   */
  async inspect(name: string): Promise<{ graph: Graph; check: ReceiptCheck; bytes: Buffer }> {
    const file = this.pathOf(name);
    const bytes = await readReceipt(file);
    return { ...this.verified(bytes, file, await this.trustedKeys()), bytes };
  }

  /**
   * A value derived from a verified receipt, cached by the hash of its bytes and name so that
   * views over thousands of receipts do not re-parse them. Verification still runs on a miss.
   * Receipts written by this store are cached when written (see `registerReceiptIndex`).
   */
  async derive<T>(name: string, spec: DeriveSpec<T>): Promise<T> {
    const file = this.pathOf(name);
    const fileName = path.basename(file);
    const bytes = await readReceipt(file);
    const trusted = await this.trustedKeys();
    const cache = await this.cache();
    const hashed = hashReceipt(bytes, fileName);
    const hit = await cache.get(spec, fileName, hashed.key, trusted, this.requireSignature);
    if (hit !== undefined) return hit;
    const value = this.derived(spec, bytes, file, trusted, hashed);
    if (!this.readOnly) await cache.put(spec, fileName, hashed.key, value.check, trusted, value.value);
    return value.value;
  }

  /** Verifies a receipt and derives `spec` from it: by scanning its text when it can, else parsed. */
  private derived<T>(
    spec: DeriveSpec<T>,
    bytes: Buffer,
    file: string,
    trusted: TrustedKeys,
    hashed: HashedReceipt,
  ): { value: T; check: ReceiptCheck } {
    const options = { requireSignature: this.requireSignature };
    const fast = spec.scan === undefined ? undefined : checkReceiptBytes(hashed, path.basename(file), trusted, options);
    if (fast !== undefined && fast.problems.length === 0) {
      const scanned = spec.scan?.(bytes.toString('utf8'), fast);
      if (scanned !== undefined) return { value: scanned, check: fast };
    }
    const { graph, check } = this.verified(bytes, file, trusted, hashed);
    if (check.problems.length > 0) throw integrityError(file, check);
    return { value: spec.derive(graph, check), check };
  }

  /**
   * Parses and checks a receipt's bytes. A canonical receipt is checked from its bytes (a hash
   * of the bytes before the seal) and then parsed without re-emitting it; anything else (a
   * mismatch included) takes the full path, which gives the same verdict and messages.
   */
  private verified(
    bytes: Buffer,
    file: string,
    trusted: TrustedKeys,
    hashed = hashReceipt(bytes, path.basename(file)),
  ): { graph: Graph; check: ReceiptCheck } {
    const fileName = path.basename(file);
    const options = { requireSignature: this.requireSignature };
    const fast = checkReceiptBytes(hashed, fileName, trusted, options);
    if (fast !== undefined) return { graph: parseReceipt(bytes, file, true), check: fast };
    const graph = parseReceipt(bytes, file, false);
    return { graph, check: checkReceipt(graph, fileName, trusted, options) };
  }

  /**
   * Caches the registered derivations of a receipt this store has just written, so that it is
   * never read cold. Best effort: the receipt is already durable, and a missing entry is only
   * a miss that the next read fills in, so a failure here must not fail the run.
   */
  private async index(stem: string, graph: Graph, seal: Uint8Array): Promise<void> {
    const factories = receiptIndexes();
    if (factories.length === 0) return;
    try {
      const cache = await this.cache();
      const fileName = receiptFileName(stem);
      const trusted = await this.trustedKeys();
      const check = checkSealedReceipt(graph, fileName, trusted, { requireSignature: this.requireSignature });
      if (check.problems.length > 0) return;
      const key = sealedReceiptKey(graph.checksum ?? '', seal);
      for (const factory of factories) {
        const spec = factory(stem, graph.tool);
        if (spec !== undefined) await cache.put(spec, fileName, key, check, trusted, spec.derive(graph, check));
      }
    } catch (error) {
      // Deliberately not propagated (see above): a read derives and caches the entry again, and
      // reports any real problem (an unreadable trusted key, a full disk) where it matters.
      if (!(error instanceof Error)) throw error;
    }
  }

  /**
   * The derived-value cache, its entries authenticated with a key derived from the signing key
   * file when there is one (it lives in the config dir, out of reach of whoever can write only
   * the state dir).
   */
  private cache(): Promise<ReceiptCache> {
    this.cachePromise ??= Promise.resolve().then(() => {
      const macKey = this.keys === undefined ? undefined : cacheMacKey(this.keys.layout.signingKey);
      return new ReceiptCache(this.layout.cache, macKey === undefined ? {} : { macKey });
    });
    return this.cachePromise;
  }

  /** Journals in the receipts directory (runs in progress or interrupted), oldest first. */
  async journals(): Promise<string[]> {
    const names = await this.fileNames();
    return names
      .filter((name) => name.endsWith(JOURNAL_EXTENSION))
      .sort()
      .map((name) => path.join(this.layout.receipts, name));
  }

  /** The trusted public keys (read once per store). */
  trustedKeys(): Promise<TrustedKeys> {
    this.trustedCache ??= this.keys?.trustedKeys() ?? Promise.resolve(new Map());
    return this.trustedCache;
  }

  /** The names in the receipts directory; none when it does not exist yet. */
  private async fileNames(): Promise<string[]> {
    try {
      return await fs.readdir(this.layout.receipts);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

async function readReceipt(file: string): Promise<Buffer> {
  try {
    // Synchronous: views read thousands of receipts; on a local disk this is measurably faster.
    return fsSync.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new WritLoreError('not-found', `no receipt ${path.basename(file)} in ${path.dirname(file)}`, {
        path: file,
        hint: "list receipts with 'receipts view'",
      });
    }
    throw error;
  }
}

function parseReceipt(bytes: Buffer, file: string, isKnownCanonical: boolean): Graph {
  try {
    return parseGraph(bytes.toString('utf8'), { path: file, isKnownCanonical });
  } catch (error) {
    throw new WritLoreError('integrity', `${path.basename(file)} is corrupt: ${errorMessage(error)}`, {
      path: file,
      cause: error,
    });
  }
}

/** The `integrity` error for a receipt that failed its check, its hint fitting the failed check. */
export function integrityError(file: string, check: ReceiptCheck): WritLoreError {
  return new WritLoreError('integrity', `receipt ${check.fileName}: ${check.problems.join('; ')}`, {
    path: file,
    hint: integrityHint(check),
  });
}

