import { Writable } from 'node:stream';

/** A stream that keeps everything written to it, for capturing a CLI's output in-process. */
export interface OutputSink {
  readonly stream: Writable & { isTTY?: boolean };
  /** Everything written so far. */
  text(): string;
}

/** A fresh {@link OutputSink}. */
export function outputSink(): OutputSink {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}
