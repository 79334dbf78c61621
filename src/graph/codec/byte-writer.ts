/** Flush the pending text to the byte buffer once it is this long. */
const CHUNK = 16_384;

/**
 * Accumulates text as UTF-8 bytes. Pending text is a short concatenation written out every
 * {@link CHUNK} characters: one big concatenated string would keep hundreds of thousands of
 * rope nodes alive (tens of MB for a 10k-node graph); these die young instead.
 */
export class ByteWriter {
  private buffer = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  private pending = '';

  /** Appends `text`. */
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK) this.flush();
  }

  private flush(): void {
    const needed = this.length + this.pending.length * 3;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(this.pending, this.length, 'utf8');
    this.pending = '';
  }

  /** Everything written, as bytes (a view, valid until the next write). */
  bytes(): Buffer {
    this.flush();
    return this.buffer.subarray(0, this.length);
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
