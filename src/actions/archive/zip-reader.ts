import type { Entry, ZipFile } from 'yauzl';
import { WritLoreError } from '../../graph/index.js';
import type { ArchiveReader, EntryVisitor, RawEntry, RawEntryType } from './entry.js';

const S_IFMT = 0o170000;
const UNIX_TYPES: ReadonlyMap<number, RawEntryType> = new Map([
  [0o100000, 'file'],
  [0o040000, 'directory'],
  [0o120000, 'symlink'],
]);
const TYPE_LABELS: ReadonlyMap<number, string> = new Map([
  [0o010000, 'FIFO'],
  [0o020000, 'CharacterDevice'],
  [0o060000, 'BlockDevice'],
  [0o140000, 'Socket'],
]);
/** Version-made-by host 3 is Unix: only then do the external attributes hold a mode. */
const HOST_UNIX = 3;
const MAX_LINK_TARGET = 4096;

/** Reads `.zip` archives with yauzl (names decoded here so that our own checks name them). */
export function zipReader(path: string): ArchiveReader {
  return { walk: (visit, signal) => walkZip(path, visit, signal) };
}

/** yauzl, loaded on first use: most runs open no archive. */
async function loadYauzl(): Promise<typeof import('yauzl')> {
  return (await import('yauzl')).default;
}

async function walkZip(path: string, visit: EntryVisitor, signal: AbortSignal): Promise<void> {
  const yauzl = await loadYauzl();
  const zip = await yauzl.openPromise(path, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false });
  try {
    for await (const entry of zip.eachEntry()) {
      signal.throwIfAborted();
      const raw = await toRawEntry(zip, entry, path);
      const body = raw.type === 'file' ? await zip.openReadStreamPromise(entry) : undefined;
      await visit(raw, body);
      body?.destroy();
    }
  } finally {
    zip.close();
  }
}

async function toRawEntry(zip: ZipFile, entry: Entry, path: string): Promise<RawEntry> {
  const rawName = entry.fileName as unknown as Buffer;
  const name = (await loadYauzl()).getFileNameLowLevel(entry.generalPurposeBitFlag, rawName, entry.extraFields, false);
  if (entry.isEncrypted()) {
    throw new WritLoreError('invalid-input', `archive ${path}: entry ${JSON.stringify(name)} is encrypted`, { path });
  }
  const unixMode = entry.versionMadeBy >> 8 === HOST_UNIX ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
  const isDirectoryName = name.endsWith('/');
  const format = unixMode & S_IFMT;
  const type: RawEntryType = isDirectoryName ? 'directory' : format === 0 ? 'file' : (UNIX_TYPES.get(format) ?? 'other');
  const mode = (unixMode & 0o7777) || (type === 'directory' ? 0o755 : 0o644);
  const raw = { name, type, typeLabel: TYPE_LABELS.get(format) ?? type, mode };
  if (type !== 'symlink') return raw;
  const linkTarget = await readLinkTarget(zip, entry);
  if (linkTarget === undefined) {
    throw new WritLoreError('invalid-input', `archive ${path}: entry ${JSON.stringify(name)} has an overlong link target`, { path });
  }
  return { ...raw, linkTarget };
}

/** A zip symlink keeps its target as the entry's content; undefined when it is too long. */
async function readLinkTarget(zip: ZipFile, entry: Entry): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of await zip.openReadStreamPromise(entry)) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_LINK_TARGET) return undefined;
    parts.push(bytes);
  }
  return Buffer.concat(parts).toString('utf8');
}
