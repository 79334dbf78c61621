import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WritLoreError } from '../../graph/index.js';
import { runEnvironment } from '../host-facts.js';
import { optionalString, requireString } from '../slot-values.js';
import type { Action, ActionOutput, ProbeContext, ProbeOutcome, ResolvedSlots } from '../types.js';
import { decryptAge } from './decrypt.js';
import { loadAgeIdentities, type IdentityLookup } from './identities.js';

/** A decryption's outcome: the plaintext (secret) and the digests that may be recorded. */
interface Decrypted {
  readonly plaintext: Buffer;
  readonly sourceDigest: string;
  readonly digest: string;
}

/**
 * `secret.decrypt`: decrypts an age file (`source`) with identities from the `identity` slot,
 * the run (`--identity`), `WRIT_LORE_AGE_IDENTITY` or `<config>/age/identities.txt`. The result
 * is the plaintext as a Buffer for a downstream node; only digests are ever recorded or logged.
 */
export const secretDecrypt: Action = {
  name: 'secret.decrypt',
  spec: { required: ['source'], optional: ['identity'] },

  async do(ctx, slots): Promise<ActionOutput> {
    const decrypted = await decryptSource(ctx, slots);
    ctx.log.info(`decrypted secret (${decrypted.plaintext.length} bytes, ${decrypted.digest})`);
    return {
      result: decrypted.plaintext,
      digests: { source: decrypted.sourceDigest, target: decrypted.digest },
    };
  },

  /** Decrypting is read-only, so a dry run proves the identity works before anything is written. */
  async probe(ctx, slots): Promise<ProbeOutcome> {
    const decrypted = await decryptSource(ctx, slots);
    return { kind: 'create', detail: decrypted.digest };
  },
};

async function decryptSource(ctx: ProbeContext, slots: ResolvedSlots): Promise<Decrypted> {
  const source = requireString(slots, 'source', ctx.nodeId);
  const identities = await loadAgeIdentities(identityLookup(ctx, slots));
  const ciphertext = await readSecretFile(source);
  ctx.signal.throwIfAborted();
  const plaintext = Buffer.from(await decryptAge(ciphertext, identities, { name: source }));
  return { plaintext, sourceDigest: sha256(ciphertext), digest: sha256(plaintext) };
}

function identityLookup(ctx: ProbeContext, slots: ResolvedSlots): IdentityLookup {
  const slot = optionalString(slots, 'identity', ctx.nodeId);
  const fromRun = runPaths(ctx.data.ageIdentities);
  const configDir = ctx.data.configDir;
  if (configDir !== undefined && typeof configDir !== 'string') {
    throw new WritLoreError('invalid-input', 'run data "configDir" must be a path string');
  }
  return {
    env: runEnvironment(ctx.data),
    ...(slot === undefined ? {} : { slot }),
    ...(fromRun === undefined ? {} : { fromRun }),
    ...(configDir === undefined ? {} : { configDir }),
  };
}

function runPaths(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new WritLoreError('invalid-input', 'run data "ageIdentities" must be a path or a list of paths');
}

async function readSecretFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WritLoreError(code === 'ENOENT' ? 'not-found' : 'action-failed', `cannot read secret: ${code ?? 'error'}`, {
      path,
      cause: error,
    });
  }
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
