import { open } from 'node:fs/promises';
import { WritLoreError } from '../../graph/index.js';
import type { ArchiveReader } from './entry.js';
import { isCode } from '../net/parents.js';
import { tarReader } from './tar-reader.js';
import { zipReader } from './zip-reader.js';

/** Archive formats `archive.extract` understands. */
export type ArchiveFormat = 'tar' | 'tar.gz' | 'tar.xz' | 'zip';

const EXTENSIONS: readonly (readonly [string, ArchiveFormat])[] = [
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tar.gz'],
  ['.tar.xz', 'tar.xz'],
  ['.txz', 'tar.xz'],
  ['.tar', 'tar'],
  ['.zip', 'zip'],
];

/**
 * The format of the archive at `path`, from its first bytes (so a downloaded file without an
 * extension works) and else from its name.
 */
export async function detectFormat(path: string): Promise<ArchiveFormat> {
  const head = await readHead(path);
  const byMagic = formatFromMagic(head);
  if (byMagic !== undefined) return byMagic;
  const lower = path.toLowerCase();
  const byName = EXTENSIONS.find(([extension]) => lower.endsWith(extension))?.[1];
  if (byName !== undefined) return byName;
  throw new WritLoreError('invalid-input', `archive ${path}: unknown archive format`, {
    path,
    hint: 'supported: .tar.gz/.tgz, .tar.xz/.txz, .tar, .zip',
  });
}

/** The reader for `format`. */
export function readerFor(path: string, format: ArchiveFormat): ArchiveReader {
  switch (format) {
    case 'tar':
    case 'tar.gz':
      return tarReader(path, 'auto');
    case 'tar.xz':
      return tarReader(path, 'xz');
    case 'zip':
      return zipReader(path);
    default:
      return format satisfies never;
  }
}

function formatFromMagic(head: Buffer): ArchiveFormat | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'tar.xz';
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'zip';
  if (head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

async function readHead(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT')) {
      throw new WritLoreError('not-found', `archive ${path}: no such file`, { path, cause: error });
    }
    throw error;
  }
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, 512, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
