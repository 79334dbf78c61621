import type * as Age from 'age-encryption';
import { WritLoreError } from '../../graph/index.js';
import type { AgeIdentities } from './identities.js';

/** How {@link decryptAge} names what it decrypts. */
export interface DecryptOptions {
  /** The encrypted file's path, for messages. */
  readonly name: string;
}

const ARMOR_HEADER = '-----BEGIN AGE ENCRYPTED FILE-----';
const NO_MATCH = /no identity matched/i;

/**
 * Decrypts an age file (binary or ASCII-armored) with the given identities. A file no identity
 * opens is an `action-failed` error saying how many identities were tried and from where.
 */
export async function decryptAge(
  ciphertext: Uint8Array,
  identities: AgeIdentities,
  options: DecryptOptions,
): Promise<Uint8Array> {
  // Loaded on first use: a run without secrets should not pay for the age library.
  const age = await import('age-encryption');
  const decrypter = new age.Decrypter();
  for (const key of identities.keys) decrypter.addIdentity(key);
  try {
    return await decrypter.decrypt(unarmor(age.armor, ciphertext, options.name));
  } catch (error) {
    if (error instanceof WritLoreError) throw error;
    const count = identities.keys.length;
    const tried = `tried ${count} ${count === 1 ? 'identity' : 'identities'} from ${identities.origin}`;
    if (error instanceof Error && NO_MATCH.test(error.message)) {
      throw new WritLoreError('action-failed', `cannot decrypt ${options.name}: no identity matches (${tried})`, {
        path: options.name,
        hint: 'use the identity whose recipient the file was encrypted to (--identity FILE)',
        cause: error,
      });
    }
    // The library's message may quote the file's first line ("invalid version <line>"), which
    // for a mislabelled plaintext file is the secret itself: say what failed, never quote it.
    const damaged = error instanceof Error && /ciphertext|chunk|hmac|tag/i.test(error.message);
    const reason = damaged ? 'the encrypted file is damaged' : 'not an age-encrypted file (bad header)';
    throw new WritLoreError('action-failed', `cannot decrypt ${options.name}: ${reason}`, {
      path: options.name,
      hint: 'check that the file was written by age (binary or ASCII-armored) and not altered',
    });
  }
}

function unarmor(armor: typeof Age.armor, file: Uint8Array, name: string): Uint8Array {
  const head = Buffer.from(file.subarray(0, ARMOR_HEADER.length + 16)).toString('latin1').trimStart();
  if (!head.startsWith(ARMOR_HEADER)) return file;
  try {
    return armor.decode(Buffer.from(file).toString('utf8'));
  } catch (error) {
    // As above: the armor parser's message could quote file content, so it is not passed on.
    if (!(error instanceof Error)) throw error;
    throw new WritLoreError('action-failed', `cannot decrypt ${name}: bad ASCII armor`, { path: name });
  }
}
