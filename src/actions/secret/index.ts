import type { ActionProvider } from '../types.js';
import { secretDecrypt } from './secret-decrypt.js';

export { secretDecrypt } from './secret-decrypt.js';
export { decryptAge, type DecryptOptions } from './decrypt.js';
export {
  AGE_IDENTITY_ENV,
  identityFiles,
  loadAgeIdentities,
  type AgeIdentities,
  type IdentityLookup,
} from './identities.js';

/** The secret actions: `secret.decrypt`. */
export const secretProvider: ActionProvider = { name: 'secret', actions: [secretDecrypt] };
