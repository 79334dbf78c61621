import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { deployedKind, lastEffective, type FileEntry } from './entries.js';

/** How a deployed path compares with what its receipt recorded. */
export type DriftStatus =
  | { readonly kind: 'ok' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'changed'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly detail: string };

/**
 * Compares a deployed path on disk with its last effective record: a link must point at its
 * source, a copy must have the recorded digest, a directory must be a directory.
 */
export function detectDrift(entry: FileEntry): DriftStatus {
  const record = lastEffective(entry);
  const kind = deployedKind(entry);
  if (record === undefined || kind === undefined) return { kind: 'unknown', detail: 'nothing deployed' };
  const stats = fs.lstatSync(entry.path, { throwIfNoEntry: false });
  if (stats === undefined) return { kind: 'missing' };
  switch (kind) {
    case 'link': {
      if (!stats.isSymbolicLink()) return { kind: 'changed', detail: 'no longer a symlink' };
      const target = fs.readlinkSync(entry.path);
      if (record.source !== undefined && target !== record.source) {
        return { kind: 'changed', detail: `points to ${target}, not ${record.source}` };
      }
      return { kind: 'ok' };
    }
    case 'copy':
    case 'write': {
      if (!stats.isFile()) return { kind: 'changed', detail: 'no longer a regular file' };
      if (record.target_digest === undefined) return { kind: 'unknown', detail: 'no digest recorded' };
      const digest = `sha256:${createHash('sha256').update(fs.readFileSync(entry.path)).digest('hex')}`;
      return digest === record.target_digest ? { kind: 'ok' } : { kind: 'changed', detail: 'content differs' };
    }
    case 'directory':
      return stats.isDirectory() ? { kind: 'ok' } : { kind: 'changed', detail: 'no longer a directory' };
    case 'removal':
    case 'other':
      return { kind: 'unknown', detail: `cannot check a ${kind}` };
    default:
      return kind satisfies never;
  }
}
