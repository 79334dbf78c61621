import { WritLoreError } from '../../graph/index.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The canonical `sha256:<hex>` form of a checksum slot, which may be given as bare hex or with
 * the `sha256:` prefix, in either case. Anything else is an `invalid-slot` error.
 */
export function normaliseSha256(value: unknown, nodeId: string): string {
  const lower = typeof value === 'string' ? value.trim().toLowerCase() : '';
  const hex = lower.startsWith('sha256:') ? lower.slice('sha256:'.length) : lower;
  if (!SHA256_HEX.test(hex)) {
    throw new WritLoreError(
      'invalid-slot',
      `node "${nodeId}": slot "sha256" is not a SHA-256 digest: ${JSON.stringify(value) ?? 'nothing'}`,
      { hint: 'give 64 hex digits, optionally prefixed with "sha256:"' },
    );
  }
  return `sha256:${hex}`;
}
