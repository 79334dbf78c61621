import fs from 'node:fs/promises';
import path from 'node:path';
import {
  WritLoreError,
  decodePublicKey,
  decodeSecretKey,
  encodePublicKey,
  encodeSecretKey,
  generateKeyPair,
  keyId,
} from '../graph/index.js';
import { writeFileAtomic } from './atomic.js';
import { configLayout, type ConfigLayout } from './paths.js';

/** The signing key of this machine, loaded from the config dir. */
export interface SigningKey {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** Public keys whose signatures are accepted, by key id. */
export type TrustedKeys = ReadonlyMap<string, Uint8Array>;

/** Options of {@link KeyStore.generate}. */
export interface KeygenOptions {
  /** Replace an existing signing key (default false: an existing key is an error). */
  readonly overwrite?: boolean;
}

/**
 * Signing and trusted keys under the config dir: `keys/signing.key` (0600) + `keys/signing.pub`,
 * and `trusted/*.pub`. Our own public key is always trusted.
 *
 * @example
 * const keys = new KeyStore(resolveConfigDir());
 * const { keyId } = await keys.generate();
 */
export class KeyStore {
  readonly layout: ConfigLayout;

  constructor(configDir: string) {
    this.layout = configLayout(configDir);
  }

  /** Creates an Ed25519 key pair; the private key is written with mode 0600. */
  async generate(options: KeygenOptions = {}): Promise<SigningKey> {
    const existing = await readOptional(this.layout.signingKey);
    if (existing !== undefined && options.overwrite !== true) {
      throw new WritLoreError('invalid-input', `a signing key already exists at ${this.layout.signingKey}`, {
        path: this.layout.signingKey,
        hint: 'pass --force to replace it (receipts signed with the old key then need its .pub trusted)',
      });
    }
    const pair = generateKeyPair();
    await fs.mkdir(path.dirname(this.layout.signingKey), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.layout.signingKey, `${encodeSecretKey(pair.secretKey)}\n`, { mode: 0o600 });
    await fs.chmod(this.layout.signingKey, 0o600);
    await writeFileAtomic(this.layout.signingPublicKey, `${encodePublicKey(pair.publicKey)}\n`, { mode: 0o644 });
    return { keyId: keyId(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
  }

  /** The signing key, or undefined when none was generated. A key readable by others is refused. */
  async signingKey(): Promise<SigningKey | undefined> {
    const text = await readOptional(this.layout.signingKey);
    if (text === undefined) return undefined;
    const stats = await fs.stat(this.layout.signingKey);
    if ((stats.mode & 0o077) !== 0) {
      throw new WritLoreError('integrity', `the signing key ${this.layout.signingKey} is readable by others`, {
        path: this.layout.signingKey,
        hint: `chmod 600 ${this.layout.signingKey}`,
      });
    }
    const secretKey = decodeSecretKey(text.trim(), { path: this.layout.signingKey });
    // An Ed25519 secret key (tweetnacl form) ends with its public key.
    const publicKey = secretKey.slice(32);
    return { keyId: keyId(publicKey), publicKey, secretKey };
  }

  /** Copies a public key file into `trusted/` as `<key id>.pub`; returns the key id. */
  async trust(publicKeyFile: string): Promise<string> {
    const text = await readOptional(publicKeyFile);
    if (text === undefined) {
      throw new WritLoreError('not-found', `no such public key file: ${publicKeyFile}`, { path: publicKeyFile });
    }
    const publicKey = decodePublicKey(text.trim(), { path: publicKeyFile });
    const id = keyId(publicKey);
    await fs.mkdir(this.layout.trusted, { recursive: true });
    const target = path.join(this.layout.trusted, `${id.replace(':', '-')}.pub`);
    await writeFileAtomic(target, `${encodePublicKey(publicKey)}\n`, { mode: 0o644 });
    return id;
  }

  /** Every trusted public key (our own included). A malformed `.pub` file is an error naming it. */
  async trustedKeys(): Promise<TrustedKeys> {
    const keys = new Map<string, Uint8Array>();
    let names: string[] = [];
    try {
      names = await fs.readdir(this.layout.trusted);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const name of names.filter((entry) => entry.endsWith('.pub')).sort()) {
      const file = path.join(this.layout.trusted, name);
      const publicKey = decodePublicKey((await fs.readFile(file, 'utf8')).trim(), { path: file });
      keys.set(keyId(publicKey), publicKey);
    }
    const own = await readOptional(this.layout.signingPublicKey);
    if (own !== undefined) {
      const publicKey = decodePublicKey(own.trim(), { path: this.layout.signingPublicKey });
      keys.set(keyId(publicKey), publicKey);
    }
    return keys;
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
