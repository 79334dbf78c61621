import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WritLoreError } from '../../graph/index.js';
import { closestName } from '../../graph/index.js';
import { parseIndex, parseManifest } from './manifest.js';
import { PACKAGE_NAME_PATTERN } from './manifest-schema.js';
import type { PackageManifest, RegistryIndex } from './manifest-schema.js';
import { RegistryCache } from './registry-cache.js';

/** Options of {@link openRegistry}. */
export interface RegistryOptions {
  /** Where remote registries are cached (`<cacheDir>/registries/<sha256(url)>/`); required for http(s). */
  readonly cacheDir?: string;
  /** The fetch to use; default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Read a remote registry from the cache only, never from the network. Default `false`. */
  readonly offline?: boolean;
  /** Told when a remote file could not be fetched and its cached copy was used instead. */
  readonly onCacheFallback?: (file: string, error: WritLoreError) => void;
}

/** A source of lore packages: a directory or an http(s) base URL holding `index.yaml` and `packages/`. */
export interface PackageRegistry {
  readonly kind: 'directory' | 'http';
  /** The absolute directory, or the base URL ending in `/`. */
  readonly location: string;
  /** The registry's index (read once, then remembered). */
  index(): Promise<RegistryIndex>;
  /** The manifest of `name`; `not-found` (with a did-you-mean) when the registry has none. */
  manifest(name: string): Promise<PackageManifest>;
  /** A source URL as a download location: relative ones are resolved against the registry. */
  resolveUrl(url: string): string;
  /** Where a registry-relative file lives, for messages (path or URL). */
  describe(file: string): string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The largest registry file read: an index lists many packages, a manifest is a page of YAML. */
const MAX_BYTES = { index: 16 * 1024 * 1024, manifest: 1024 * 1024 } as const;

/** The size limit of a registry-relative file. */
function sizeLimit(file: string): number {
  return file === 'index.yaml' ? MAX_BYTES.index : MAX_BYTES.manifest;
}

/** The error for a registry file over its limit (checked before it is read or parsed). */
function tooLarge(where: string, limit: number): WritLoreError {
  return new WritLoreError('invalid-input', `file too large (over ${limit / 1024 / 1024} MiB)`, {
    path: where,
    hint: 'a registry file this big is damaged or hostile; check the registry',
  });
}

/** The `sha256:` digest of some bytes. */
function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Opens a registry: a directory (read directly) or an `http(s)://` base URL (fetched, and
 * cached under `cacheDir` with the digest of every file so it can be used offline).
 *
 * @example
 * const registry = openRegistry('fixtures/registry', {});
 * const manifest = await registry.manifest('hello-tool');
 */
export function openRegistry(location: string, options: RegistryOptions = {}): PackageRegistry {
  if (/^https?:\/\//i.test(location)) return new HttpRegistry(location, options);
  if (SCHEME.test(location) && !location.startsWith('file:')) {
    throw new WritLoreError('invalid-input', `registry "${location}" is neither a directory nor an http(s) URL`);
  }
  const dir = location.startsWith('file:') ? fileURLToPath(location) : resolve(location);
  return new DirectoryRegistry(dir);
}

/** Shared behaviour: name checks, index memo, digest checks against the index. */
abstract class BaseRegistry implements PackageRegistry {
  abstract readonly kind: 'directory' | 'http';
  abstract readonly location: string;
  #index: Promise<RegistryIndex> | undefined;

  index(): Promise<RegistryIndex> {
    this.#index ??= this.readText('index.yaml', undefined).then((text) => parseIndex(text, { path: this.describe('index.yaml') }));
    return this.#index;
  }

  async manifest(name: string): Promise<PackageManifest> {
    const index = await this.index();
    const entry = index.packages.find((candidate) => candidate.name === name);
    if (!PACKAGE_NAME_PATTERN.test(name) || entry === undefined) throw unknownPackage(name, index, this.location);
    const file = `packages/${name}/package.yaml`;
    const text = await this.readText(file, entry.digest);
    const manifest = parseManifest(text, { path: this.describe(file) });
    if (manifest.name !== name || manifest.version !== entry.version) {
      throw new WritLoreError('invalid-input', `manifest says ${manifest.name} ${manifest.version}, the index says ${name} ${entry.version}`, {
        path: manifest.file,
        line: manifest.lines['name'] ?? 1,
        hint: 'rebuild the registry index',
      });
    }
    return manifest;
  }

  abstract resolveUrl(url: string): string;
  abstract describe(file: string): string;
  /** The text of a registry file, checked against `digest` when one is known. */
  protected abstract readText(file: string, digest: string | undefined): Promise<string>;
}

/** A registry in a local directory. */
class DirectoryRegistry extends BaseRegistry {
  readonly kind = 'directory';
  readonly location: string;

  constructor(location: string) {
    super();
    this.location = location;
  }

  resolveUrl(url: string): string {
    if (SCHEME.test(url)) return url;
    return isAbsolute(url) ? url : join(this.location, url);
  }

  describe(file: string): string {
    return join(this.location, file);
  }

  protected async readText(file: string, digest: string | undefined): Promise<string> {
    const path = this.describe(file);
    // A file that cannot be stat'ed cannot be read either: readFile below reports why.
    const size = await stat(path).then((stats) => stats.size, () => 0);
    if (size > sizeLimit(file)) throw tooLarge(path, sizeLimit(file));
    const bytes = await readFile(path).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      throw new WritLoreError(code === 'ENOENT' ? 'not-found' : 'internal', `cannot read registry file ${path}: ${code ?? String(error)}`, {
        path,
        cause: error,
        ...(file === 'index.yaml' ? { hint: 'a registry directory holds index.yaml and packages/<name>/package.yaml' } : {}),
      });
    });
    checkDigest(bytes, digest, path);
    return decodeUtf8(bytes, path);
  }
}

/** A registry served over http(s), cached on disk. */
class HttpRegistry extends BaseRegistry {
  readonly kind = 'http';
  readonly location: string;
  readonly #options: RegistryOptions;
  readonly #cache: RegistryCache;

  constructor(location: string, options: RegistryOptions) {
    super();
    this.location = location.endsWith('/') ? location : `${location}/`;
    if (options.cacheDir === undefined) {
      throw new WritLoreError('invalid-input', `a remote registry (${this.location}) needs a cache directory`);
    }
    this.#options = options;
    this.#cache = new RegistryCache(options.cacheDir, this.location);
  }

  resolveUrl(url: string): string {
    const resolved = new URL(url, this.location);
    if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
      throw new WritLoreError('invalid-input', `source URL "${url}" of remote registry ${this.location} is not http(s)`);
    }
    return resolved.href;
  }

  describe(file: string): string {
    return new URL(file, this.location).href;
  }

  protected async readText(file: string, digest: string | undefined): Promise<string> {
    const cached = this.#cache.read(file);
    // The index pins each manifest's digest: a cached copy with that digest is current.
    if (digest !== undefined && cached?.digest === digest) return decodeUtf8(cached.bytes, this.describe(file));
    if (this.#options.offline === true) {
      if (cached === undefined) throw new WritLoreError('not-found', `${this.describe(file)} is not cached`, { hint: 'run once online' });
      checkDigest(cached.bytes, digest, this.describe(file));
      return decodeUtf8(cached.bytes, this.describe(file));
    }
    const fetched = await this.#fetch(file).catch((error: unknown) => {
      if (!(error instanceof WritLoreError) || error.code === 'not-found' || cached === undefined) throw error;
      this.#options.onCacheFallback?.(this.describe(file), error);
      return cached.bytes;
    });
    checkDigest(fetched, digest, this.describe(file));
    const text = decodeUtf8(fetched, this.describe(file));
    if (fetched !== cached?.bytes) await this.#cache.write(file, fetched);
    return text;
  }

  async #fetch(file: string): Promise<Buffer> {
    const url = this.describe(file);
    const fetcher = this.#options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetcher(url, { redirect: 'follow' });
    } catch (error) {
      throw new WritLoreError('action-failed', `cannot fetch ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (response.status === 404) throw new WritLoreError('not-found', `${url} does not exist (HTTP 404)`);
    if (!response.ok) throw new WritLoreError('action-failed', `cannot fetch ${url}: HTTP ${response.status}`);
    return readCapped(response, sizeLimit(file), url);
  }
}

/** The text of a registry file; bytes that are not UTF-8 are an error naming the first such line. */
function decodeUtf8(bytes: Buffer, where: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let start = 0;
  let line = 1;
  for (let end = bytes.indexOf(0x0a); end !== -1 && isUtf8(bytes.subarray(start, end)); end = bytes.indexOf(0x0a, start)) {
    start = end + 1;
    line += 1;
  }
  throw new WritLoreError('invalid-input', 'not valid UTF-8', { path: where, line, hint: 'registry files are UTF-8 text' });
}

/** The body of `response`, refused (and the transfer cancelled) once it passes `limit` bytes. */
async function readCapped(response: Response, limit: number, url: string): Promise<Buffer> {
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge(url, limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(url, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function checkDigest(bytes: Uint8Array, digest: string | undefined, where: string): void {
  if (digest === undefined) return;
  const actual = sha256Digest(bytes);
  if (actual !== digest) {
    throw new WritLoreError('integrity', `${where} has digest ${actual}, but the registry index says ${digest}`, {
      path: where,
      hint: 'the registry changed under its index; rebuild the index or refresh the cache',
    });
  }
}

function unknownPackage(name: string, index: RegistryIndex, location: string): WritLoreError {
  const names = index.packages.map((entry) => entry.name);
  const guess = closestName(name, names);
  const didYouMean = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  return new WritLoreError('not-found', `no package "${name}" in registry ${location}${didYouMean}`, {
    hint: 'list the registry with "lore search", or check --registry',
  });
}
