import { WritLoreError, errorMessage, integrityHint, isWritLoreError, type ReceiptCheck, type ReceiptStore } from '../../src/index.js';
import type { CommandContext, Handler } from '../program.js';
import { EXIT } from '../exit-codes.js';
import { formatCount } from '../plural.js';
import { JSON_FORMAT_VERSION, openStore, type StoreOptions } from './common.js';
import { resolveName } from './show.js';

/** Options of `receipts verify`. */
export interface VerifyCommandOptions extends StoreOptions {
  readonly all?: boolean;
}

/** One line of the verify report. */
interface VerifyLine {
  readonly name: string;
  readonly ok: boolean;
  readonly checksum: ReceiptCheck['checksum'] | 'unreadable';
  readonly signature: { readonly kind: string; readonly key_id: string | null };
  readonly problems: readonly string[];
}

// The hint for a receipt that cannot even be read: it is corrupt.
const CHANGED_HINT = integrityHint({ checksum: 'mismatch', signature: { kind: 'unsigned' } });

/**
 * Verifies one receipt; a failure's hint (which depends on the failed check) goes into `hints`.
 * A receipt named on the command line that does not exist is bad input (exit 2), not a failed
 * check; one listed by `--all` that vanished meanwhile is reported as a failure.
 */
async function verifyOne(store: ReceiptStore, name: string, hints: Set<string>, named: boolean): Promise<VerifyLine> {
  try {
    const { check } = await store.inspect(name);
    if (check.problems.length > 0) hints.add(integrityHint(check));
    const keyId = check.signature.kind === 'unsigned' ? null : check.signature.keyId;
    return {
      name,
      ok: check.problems.length === 0,
      checksum: check.checksum,
      signature: { kind: check.signature.kind, key_id: keyId },
      problems: check.problems,
    };
  } catch (error) {
    if (!isWritLoreError(error, 'integrity') && !isWritLoreError(error, 'not-found')) throw error;
    if (named && isWritLoreError(error, 'not-found')) throw error;
    const problem = errorMessage(error);
    hints.add(CHANGED_HINT);
    return { name, ok: false, checksum: 'unreadable', signature: { kind: 'unknown', key_id: null }, problems: [problem] };
  }
}

/** `receipts verify NAME…|--all`: checksum and signature of each; exit 4 naming any failure. */
export const handler: Handler<VerifyCommandOptions> = async (ctx: CommandContext<VerifyCommandOptions>) => {
  const { out, options } = ctx;
  if (options.all === true && ctx.args.length > 0) {
    throw new WritLoreError('invalid-input', 'give receipt names or --all, not both');
  }
  const store = openStore(ctx);
  let names: string[];
  if (options.all === true) names = (await store.list()).map((entry) => entry.stem);
  else if (ctx.args.length > 0) names = await Promise.all(ctx.args.map((name) => resolveName(store, name)));
  else throw new WritLoreError('invalid-input', 'name the receipts to verify, or pass --all', { hint: 'receipts verify --all' });
  const lines: VerifyLine[] = [];
  const hints = new Set<string>();
  for (const name of names) lines.push(await verifyOne(store, name, hints, options.all !== true));
  const failed = lines.filter((line) => !line.ok);
  if (out.isJson) {
    out.json({ version: JSON_FORMAT_VERSION, ok: failed.length === 0, results: lines });
  } else {
    for (const line of lines) {
      const status = line.ok ? out.paint('green', 'ok  ') : out.paint('red', 'FAIL');
      const detail = line.ok ? describeSignature(line) : line.problems.join('; ');
      out.line(`${status}  ${line.name}  ${detail}`, !line.ok);
    }
    if (lines.length === 0) out.line('no receipts to verify', true);
  }
  if (failed.length === 0) return EXIT.ok;
  const failedNames = failed.map((line) => line.name).join(', ');
  out.error(new WritLoreError('integrity', `${failed.length} of ${formatCount(lines.length, 'receipt')} failed verification: ${failedNames}`, {
    hint: [...hints].join('; '),
  }));
  return EXIT.integrity;
};

function describeSignature(line: VerifyLine): string {
  return line.signature.kind === 'unsigned' ? '(checksum ok, unsigned)' : `(checksum ok, signed by ${line.signature.key_id ?? '?'})`;
}
