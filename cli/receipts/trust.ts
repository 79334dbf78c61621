import { WritLoreError } from '../../src/index.js';
import type { CommandContext, Handler } from '../program.js';
import { EXIT } from '../exit-codes.js';
import { JSON_FORMAT_VERSION, openKeys, type StoreOptions } from './common.js';

/** `receipts trust FILE.pub`: accept receipts signed by that key. */
export const handler: Handler<StoreOptions> = async (ctx: CommandContext<StoreOptions>) => {
  const file = ctx.args[0];
  if (file === undefined) throw new WritLoreError('invalid-input', 'name the public key file to trust');
  const keys = openKeys(ctx);
  const keyId = await keys.trust(file);
  if (ctx.out.isJson) ctx.out.json({ version: JSON_FORMAT_VERSION, key_id: keyId, trusted_dir: keys.layout.trusted });
  else ctx.out.line(`trusted ${keyId}`, true);
  return EXIT.ok;
};
