import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { xz } from '@napi-rs/lzma';
import { Header } from 'tar';

/** One member of a hand-made tar (names are written verbatim: `..` and `/abs` included). */
export interface TarSpec {
  readonly path: string;
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO' | 'CharacterDevice';
  readonly mode?: number;
  readonly content?: string | Buffer;
  readonly linkpath?: string;
}

/** Raw tar bytes: a 512-byte header per member, the body padded to 512, two zero blocks. */
export function tarBytes(entries: readonly TarSpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? '');
    const type = entry.type ?? 'File';
    const header = new Header({
      path: entry.path,
      type,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: type === 'File' ? body.length : 0,
      mtime: new Date('2026-01-01T00:00:00.000Z'),
      uid: 0,
      gid: 0,
      ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
    });
    header.encode();
    if (header.block === undefined) throw new Error(`could not encode ${entry.path}`);
    blocks.push(header.block);
    if (type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** `.tar.gz` bytes. */
export function tarGz(entries: readonly TarSpec[]): Buffer {
  return gzipSync(tarBytes(entries));
}

/** `.tar.xz` bytes. */
export function tarXz(entries: readonly TarSpec[]): Buffer {
  return xz.compressSync(tarBytes(entries));
}

/** One member of a hand-made zip; `mode` holds the Unix type bits too (0o100644, 0o120777…). */
export interface ZipSpec {
  readonly name: string;
  readonly mode?: number;
  readonly content?: string | Buffer;
  /** Deflate the body (default) or store it. */
  readonly method?: 'deflate' | 'store';
}

const DOS_DATE_1980 = 0x21;

/** Zip bytes written by hand (local headers, central directory, end record; Unix host). */
export function zipBytes(entries: readonly ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.content ?? '');
    const deflate = (entry.method ?? 'deflate') === 'deflate';
    const stored = deflate ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const mode = entry.mode ?? (entry.name.endsWith('/') ? 0o40755 : 0o100644);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
