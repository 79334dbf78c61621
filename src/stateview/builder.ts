import pLimit from 'p-limit';
import { errorMessage, isWritLoreError, type ErrorCode, type Tool } from '../graph/index.js';
import type { ReceiptStore } from '../receipts/index.js';
import { compactDigest, compactDigestSpec, eventCount, eventPath, type CompactDigest } from './compact.js';
import { receiptRowSpec, type PackageEvent, type ReceiptDigest, type ReceiptRow } from './digest.js';
import { LazyFileEntry } from './lazy-entry.js';
import { currentPackage, deployedKind, isInstalled, isSecret, type FileEntry, type PackageEntry, type PackageRecord } from './entries.js';
import { FileTree } from './file-tree.js';

// Receipts read at once: enough to overlap I/O with parsing, few enough that a hundred 4 MB
// receipts are not all in memory together (which made the garbage collector the bottleneck).
const READ_CONCURRENCY = 4;

/** Filters of a StateView: inclusive bounds on the receipt time and a tool allow-list. */
export interface StateViewOptions {
  readonly since?: Date;
  readonly until?: Date;
  readonly tools?: readonly Tool[];
}

/** A receipt that could not be used, and why (reported, never silently skipped). */
export interface ViewProblem {
  readonly receipt: string;
  readonly code: ErrorCode | 'error';
  readonly message: string;
}

/** Counts over a StateView. */
export interface ViewSummary {
  readonly receipts: number;
  /** Paths with any history. */
  readonly files: number;
  /** Paths deployed now, by kind. */
  readonly links: number;
  readonly copies: number;
  readonly directories: number;
  readonly secrets: number;
  /** Packages with any history, and installed now. */
  readonly packages: number;
  readonly installed: number;
  readonly problems: number;
}

/** What the receipts say happened and what is deployed now. */
export class StateView {
  /** The receipts used, oldest first. */
  readonly receipts: readonly ReceiptRow[];
  /** Files keyed by absolute target path. */
  readonly files: ReadonlyMap<string, FileEntry>;
  /** Packages keyed by package name. */
  readonly packages: ReadonlyMap<string, PackageEntry>;
  readonly problems: readonly ViewProblem[];

  constructor(parts: {
    receipts: readonly ReceiptRow[];
    files: ReadonlyMap<string, FileEntry>;
    packages: ReadonlyMap<string, PackageEntry>;
    problems: readonly ViewProblem[];
  }) {
    this.receipts = parts.receipts;
    this.files = parts.files;
    this.packages = parts.packages;
    this.problems = parts.problems;
  }

  /** Every path with history (including removed ones), flat and hierarchical. */
  allFiles(): FileTree {
    return new FileTree(this.files.values());
  }

  /** The paths deployed now (last effective action left something in place). */
  deployed(): FileTree {
    return new FileTree([...this.files.values()].filter((entry) => deployedKind(entry) !== undefined));
  }

  /** Counts of receipts, files by kind, packages and problems. */
  summary(): ViewSummary {
    let links = 0;
    let copies = 0;
    let directories = 0;
    let secrets = 0;
    for (const entry of this.files.values()) {
      const kind = deployedKind(entry);
      if (kind === 'link') links += 1;
      if (kind === 'copy' || kind === 'write') copies += 1;
      if (kind === 'directory') directories += 1;
      if (kind !== undefined && isSecret(entry)) secrets += 1;
    }
    const installed = [...this.packages.values()].filter(isInstalled).length;
    return {
      receipts: this.receipts.length, files: this.files.size, links, copies, directories, secrets,
      packages: this.packages.size, installed, problems: this.problems.length,
    };
  }
}

/** Accumulates receipt digests (in time order) into a {@link StateView}. */
export class StateViewBuilder {
  private readonly rows: ReceiptRow[] = [];
  private readonly digests: CompactDigest[] = [];
  private readonly files = new Map<string, LazyFileEntry>();
  private readonly packages = new Map<string, PackageRecord[]>();
  private readonly problems: ViewProblem[] = [];

  /** Adds one receipt's digest; call in time order. */
  add(digest: ReceiptDigest): this {
    return this.addCompact(compactDigest(digest.row, digest.files, digest.packages));
  }

  /** Adds one receipt's digest in cache form; call in time order. */
  addCompact(digest: CompactDigest): this {
    const { row } = digest;
    const number = this.digests.length;
    this.digests.push(digest);
    this.rows.push(row);
    const count = eventCount(digest);
    for (let event = 0; event < count; event += 1) {
      const path = eventPath(digest, event);
      let entry = this.files.get(path);
      if (entry === undefined) {
        entry = new LazyFileEntry(path, this.digests);
        this.files.set(path, entry);
      }
      entry.push(number, event);
    }
    for (const event of digest.packages) {
      const history = this.packages.get(event.name);
      const record = packageRecord(event, row, history);
      if (history === undefined) this.packages.set(event.name, [record]);
      else history.push(record);
    }
    return this;
  }

  /** Records a receipt that could not be used. */
  report(receipt: string, error: unknown): this {
    const code = isWritLoreError(error) ? error.code : 'error';
    this.problems.push({ receipt, code, message: errorMessage(error) });
    return this;
  }

  /** The view of everything added so far. */
  build(): StateView {
    const files = new Map<string, FileEntry>(this.files);
    const packages = new Map<string, PackageEntry>();
    for (const [name, history] of this.packages) packages.set(name, { name, history });
    return new StateView({ receipts: [...this.rows], files, packages, problems: [...this.problems] });
  }
}

/** The record of `event`; an install over another installed version (in the same prefix) is an upgrade. */
function packageRecord(event: PackageEvent, row: ReceiptRow, history: readonly PackageRecord[] | undefined): PackageRecord {
  const installed = history === undefined ? undefined : currentPackage({ name: event.name, history }, { prefix: event.prefix });
  const isUpgrade = event.action === 'install' && installed?.version !== undefined && event.version !== undefined && installed.version !== event.version;
  const record: { -readonly [K in keyof PackageRecord]: PackageRecord[K] } = {
    time: row.timestamp,
    receipt: row.stem,
    tool: row.tool,
    action: isUpgrade ? 'upgrade' : event.action,
    status: event.status,
  };
  if (event.manager !== undefined) record.manager = event.manager;
  if (event.version !== undefined) record.version = event.version;
  if (event.prefix !== undefined) record.prefix = event.prefix;
  return record;
}

/** The rows of the receipts matching `options` (for `receipts view`), and any problems. */
export async function listReceiptRows(
  store: ReceiptStore,
  options: StateViewOptions = {},
): Promise<{ rows: ReceiptRow[]; problems: ViewProblem[] }> {
  const builder = new StateViewBuilder();
  const entries = await store.list(options);
  const limit = pLimit(READ_CONCURRENCY);
  const rows = await Promise.all(
    entries.map((entry) =>
      limit(() => store.derive(entry.stem, receiptRowSpec(entry.stem))).then(
        (row) => ({ stem: entry.stem, row }),
        (error: unknown) => ({ stem: entry.stem, error }),
      ),
    ),
  );
  const found: ReceiptRow[] = [];
  for (const item of rows) {
    if ('row' in item) found.push(item.row);
    else builder.report(item.stem, item.error);
  }
  return { rows: found, problems: [...builder.build().problems] };
}

/**
 * Builds a StateView from the receipts of `store` that match `options`. Every receipt is
 * verified (or read from the verified cache); a corrupt one is reported in `problems` with its
 * name and skipped.
 *
 * @example
 * const view = await buildStateView(store, { since: new Date('2026-11-01'), tools: ['writ'] });
 * view.files.get('/home/me/.bashrc')?.history;
 */
export async function buildStateView(store: ReceiptStore, options: StateViewOptions = {}): Promise<StateView> {
  const builder = new StateViewBuilder();
  const entries = await store.list(options);
  const limit = pLimit(READ_CONCURRENCY);
  const digests = await Promise.all(
    entries.map((entry) =>
      limit(() => store.derive(entry.stem, compactDigestSpec(entry.stem))).then(
        (digest) => ({ stem: entry.stem, digest }),
        (error: unknown) => ({ stem: entry.stem, error }),
      ),
    ),
  );
  for (const item of digests) {
    if ('digest' in item) builder.addCompact(item.digest);
    else builder.report(item.stem, item.error);
  }
  return builder.build();
}
