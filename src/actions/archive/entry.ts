/** What a reader reports for each archive member, before any validation. */
export interface RawEntry {
  /** The member name exactly as stored (tar header/pax path, zip file name). */
  readonly name: string;
  readonly type: RawEntryType;
  /** For `other`: what it is (`FIFO`, `CharacterDevice`…), for messages. */
  readonly typeLabel: string;
  /** Permission bits from the archive (may include setuid; masked when written). */
  readonly mode: number;
  /** Symlink target as stored, or a hard link's archive path. */
  readonly linkTarget?: string;
}

/** Member types a reader can report; `other` (devices, FIFOs…) is always rejected. */
export type RawEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** A validated member: where it goes (relative to the destination) and what it is. */
export type PlannedEntry =
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly index: number }
  | { readonly kind: 'directory'; readonly path: string; readonly mode: number; readonly index: number }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string; readonly index: number }
  /** `target` is the destination-relative path of an earlier file entry. */
  | { readonly kind: 'hardlink'; readonly path: string; readonly target: string; readonly index: number };

/** The kinds of {@link PlannedEntry}. */
export type PlannedKind = PlannedEntry['kind'];

/**
 * Reads an archive member by member. `visit` gets each member with its body (files only);
 * a body not consumed by `visit` is skipped. Members arrive in archive order, one at a time.
 */
export interface ArchiveReader {
  walk(visit: EntryVisitor, signal: AbortSignal): Promise<void>;
}

/** Called for each member; `body` is set for regular files. */
export type EntryVisitor = (entry: RawEntry, body: AsyncIterable<Uint8Array> | undefined) => Promise<void>;
