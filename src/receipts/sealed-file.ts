import { readSync, writeSync } from 'node:fs';
import { WritLoreError, gitStyleHasher, sealContent, writeCanonicalTo, type Graph, type SealOptions } from '../graph/index.js';
import { writeFileAtomicWith } from './atomic.js';

/** Bytes read back at a time to hash what was written. */
const READ_BLOCK = 1 << 20;

/**
 * Seals `graph` and writes it to `file`, never over an existing file (EEXIST). The canonical
 * YAML goes to the temporary file a chunk at a time as it is emitted, is hashed by reading it
 * back (the checksum's header holds the length, known only at the end), and the seal (checksum,
 * signature) is appended: a 50k-node receipt (~40 MB) is written with ~2 MB of buffers, the
 * same bytes as `sealGraph`. Returns the sealed graph and the seal's own bytes.
 */
export async function writeSealedFile(file: string, graph: Graph, options: SealOptions): Promise<{ graph: Graph; seal: Uint8Array }> {
  const { checksum: _checksum, signature: _signature, ...content } = graph;
  return writeFileAtomicWith(file, { ifExists: 'fail' }, ({ fd }) => {
    let length = 0;
    writeCanonicalTo(content, (chunk) => {
      writeAllAt(fd, chunk, length);
      length += chunk.byteLength;
    });
    const hash = gitStyleHasher('graph', options.basename, length);
    readBack(fd, length, (block) => hash.update(block));
    const sealed = sealContent(content, hash.digest(), options.secretKey);
    writeAllAt(fd, sealed.seal, length);
    return sealed;
  });
}

/** Writes all of `bytes` at `position` (a short write continues). */
function writeAllAt(fd: number, bytes: Uint8Array, position: number): void {
  for (let offset = 0; offset < bytes.byteLength; ) {
    offset += writeSync(fd, bytes, offset, bytes.byteLength - offset, position + offset);
  }
}

/** Reads the file's first `length` bytes back in blocks. */
function readBack(fd: number, length: number, each: (block: Uint8Array) => void): void {
  const buffer = Buffer.allocUnsafe(Math.min(READ_BLOCK, Math.max(length, 1)));
  for (let position = 0; position < length; ) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, length - position), position);
    if (read === 0) throw new WritLoreError('internal', `the file ended after ${position} of ${length} bytes while hashing it`);
    each(buffer.subarray(0, read));
    position += read;
  }
}
