import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WritLoreError } from '../../graph/index.js';

/** A cached registry file and the digest recorded when it was stored. */
export interface CachedFile {
  readonly bytes: Buffer;
  readonly digest: string;
}

const DIGESTS = 'digests.json';

/**
 * The on-disk copy of one remote registry: `<cacheDir>/registries/<sha256(base URL)>/` holds
 * the files as fetched plus `digests.json` (file → `sha256:` digest, and the base URL). A
 * cached file whose bytes no longer match its recorded digest is treated as absent.
 */
export class RegistryCache {
  /** The cache directory of this registry. */
  readonly dir: string;
  readonly #url: string;

  constructor(cacheDir: string, url: string) {
    this.#url = url;
    this.dir = join(cacheDir, 'registries', createHash('sha256').update(url).digest('hex'));
  }

  /** The cached copy of `file` (registry-relative), or undefined when absent or damaged. */
  read(file: string): CachedFile | undefined {
    const digest = this.#digests()[file];
    if (digest === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new WritLoreError('internal', `cannot read cached registry file ${join(this.dir, file)}`, { cause: error });
    }
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return actual === digest ? { bytes, digest } : undefined;
  }

  /** Stores `file` and its digest, each written atomically (temp file + rename). */
  async write(file: string, bytes: Buffer): Promise<void> {
    await atomicWrite(join(this.dir, file), bytes);
    const digests = { ...this.#digests(), [file]: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
    const record = { url: this.#url, files: Object.fromEntries(Object.entries(digests).sort()) };
    await atomicWrite(join(this.dir, DIGESTS), `${JSON.stringify(record, null, 2)}\n`);
  }

  #digests(): Record<string, string> {
    let text: string;
    try {
      text = readFileSync(join(this.dir, DIGESTS), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new WritLoreError('internal', `cannot read ${join(this.dir, DIGESTS)}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new WritLoreError('internal', `the registry cache record ${join(this.dir, DIGESTS)} is damaged`, {
        cause: error,
        hint: `delete ${this.dir} to fetch the registry afresh`,
      });
    }
    const files = typeof parsed === 'object' && parsed !== null ? (parsed as { files?: unknown }).files : undefined;
    if (typeof files !== 'object' || files === null) return {};
    return Object.fromEntries(Object.entries(files).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}
