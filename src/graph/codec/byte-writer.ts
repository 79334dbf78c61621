/** Flush the pending text to the byte chunks once it is this long. */
const PENDING = 16_384;

/** Sizes of the byte chunks: the first is small (most documents are), later ones double up to the last. */
const CHUNK_SIZES = { first: 1 << 16, max: 1 << 20 } as const;

/** Options of a {@link ByteWriter}. */
export interface ByteWriterOptions {
  /**
   * Takes each chunk as soon as it is full (and the last one from {@link ByteWriter.end}) instead
   * of keeping it: the bytes must be used before the sink returns (the buffer is reused), so a
   * document of any size costs one chunk of memory.
   */
  readonly sink?: (chunk: Buffer) => void;
}

/**
 * Accumulates text as UTF-8 bytes in a list of chunks, each full to its last byte before the
 * next is started: a 40 MB document costs 40 MB, written once, instead of a buffer doubling
 * (its old and new copies alive at once) and a final copy. Pending text is a short
 * concatenation written out every {@link PENDING} characters: one big concatenated string
 * would keep hundreds of thousands of rope nodes alive (tens of MB for a 10k-node graph);
 * these die young instead. A chunk may end inside a character: only the concatenation of the
 * chunks is text.
 */
export class ByteWriter {
  private readonly full: Buffer[] = [];
  private chunk: Buffer;
  private length = 0;
  private pending = '';
  private readonly sink: ((chunk: Buffer) => void) | undefined;

  constructor(options: ByteWriterOptions = {}) {
    this.sink = options.sink;
    this.chunk = Buffer.allocUnsafe(this.sink === undefined ? CHUNK_SIZES.first : CHUNK_SIZES.max);
  }

  /** Appends `text`. */
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= PENDING) this.flush();
  }

  private flush(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    const room = this.chunk.length - this.length;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit; measure only when that might not fit.
    if (text.length * 3 <= room || Buffer.byteLength(text, 'utf8') <= room) {
      this.length += this.chunk.write(text, this.length, 'utf8');
      return;
    }
    this.spill(Buffer.from(text, 'utf8'));
  }

  /** Fills the current chunk with the head of `bytes` and continues in new chunks. */
  private spill(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.length === this.chunk.length) this.next();
      const copied = bytes.copy(this.chunk, this.length, offset);
      this.length += copied;
      offset += copied;
    }
  }

  private next(): void {
    if (this.sink !== undefined) this.sink(this.chunk);
    else {
      this.full.push(this.chunk);
      this.chunk = Buffer.allocUnsafe(Math.min(this.chunk.length * 2, CHUNK_SIZES.max));
    }
    this.length = 0;
  }

  /** With a sink: hands it what is left (the last, partial chunk). */
  end(): void {
    this.flush();
    if (this.length > 0) this.sink?.(this.chunk.subarray(0, this.length));
    this.length = 0;
  }

  /** Everything written, as chunks to be concatenated (views, valid until the next write). */
  chunks(): Buffer[] {
    this.flush();
    return this.length === 0 && this.full.length > 0 ? [...this.full] : [...this.full, this.chunk.subarray(0, this.length)];
  }

  /** Everything written, as one buffer (a copy when it spans several chunks). */
  bytes(): Buffer {
    const chunks = this.chunks();
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }
}

const PADS: string[] = [''];

/** `indent` spaces (cached). */
export function pad(indent: number): string {
  let text = PADS[indent];
  if (text === undefined) {
    text = ' '.repeat(indent);
    PADS[indent] = text;
  }
  return text;
}
