import type { CommandContext, Handler } from '../program.js';
import { EXIT } from '../exit-codes.js';
import { JSON_FORMAT_VERSION, openKeys, type StoreOptions } from './common.js';

/** Options of `receipts keygen`. */
export interface KeygenCommandOptions extends StoreOptions {
  readonly force?: boolean;
}

/** `receipts keygen`: a new Ed25519 signing key (private key mode 0600); prints its key id. */
export const handler: Handler<KeygenCommandOptions> = async (ctx: CommandContext<KeygenCommandOptions>) => {
  const keys = openKeys(ctx);
  const key = await keys.generate({ overwrite: ctx.options.force === true });
  if (ctx.out.isJson) {
    ctx.out.json({
      version: JSON_FORMAT_VERSION,
      key_id: key.keyId,
      private_key: keys.layout.signingKey,
      public_key: keys.layout.signingPublicKey,
    });
  } else {
    ctx.out.line(key.keyId, true);
    ctx.out.note(`private key: ${keys.layout.signingKey} (mode 0600; keep it secret)`);
    ctx.out.note(`public key:  ${keys.layout.signingPublicKey} (give it to 'receipts trust' on other machines)`);
  }
  return EXIT.ok;
};
