import { Encrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';

/** A fresh age identity and its recipient. */
export interface AgeKeyPair {
  readonly identity: string;
  readonly recipient: string;
}

/** Generates a key pair in-process (no age binary needed). */
export async function makeKeyPair(): Promise<AgeKeyPair> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** Encrypts `plaintext` to `recipient`, binary or ASCII-armored. */
export async function encryptTo(
  recipient: string,
  plaintext: string | Uint8Array,
  form: 'binary' | 'armored' = 'binary',
): Promise<Uint8Array> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  const ciphertext = await encrypter.encrypt(plaintext);
  return form === 'binary' ? ciphertext : Buffer.from(armor.encode(ciphertext), 'utf8');
}
