import type { JsonValue } from '../graph/index.js';

/** One undo registration: what to call to undo a node, and where it sits in start order. */
export interface RecoveryEntry {
  /** The node whose effect this undoes. */
  readonly node: string;
  /** The action name whose `undo` is called. */
  readonly action: string;
  /** Serialisable undo state (the last one registered wins). */
  undo: JsonValue;
  /** The node's start sequence number: the stack unwinds in reverse start order. */
  readonly order: number;
}

/** One entry that could not be undone. */
export interface UnwindFailure {
  readonly entry: RecoveryEntry;
  readonly error: unknown;
}

/** Options of {@link RecoveryStack.unwind}. */
export interface UnwindOptions {
  /** Only entries whose `order` is at least this (a retry undoes only its own attempt). */
  readonly from?: number;
  /** Stops the unwind before the next entry when aborted; what is left stays on the stack. */
  readonly signal?: AbortSignal;
}

/**
 * The undo registrations of a run, kept in node start order. Entries are pushed *before* an
 * action acts, so a half-done action is still undone; `unwind` undoes them in reverse start
 * order and goes on past failures.
 */
export class RecoveryStack {
  private readonly stack: RecoveryEntry[] = [];
  private readonly byNode = new Map<string, RecoveryEntry>();

  /** Adds an entry, or replaces the undo state of the node's existing entry. */
  push(entry: RecoveryEntry): void {
    const existing = this.byNode.get(entry.node);
    if (existing !== undefined) {
      existing.undo = entry.undo;
      return;
    }
    // Registrations arrive out of start order under concurrency; insert from the top.
    let at = this.stack.length;
    while (at > 0 && (this.stack[at - 1]?.order ?? 0) > entry.order) at -= 1;
    const copy = { ...entry };
    this.stack.splice(at, 0, copy);
    this.byNode.set(copy.node, copy);
  }

  /** A copy of the entries, bottom (first started) to top. */
  entries(): readonly RecoveryEntry[] {
    return this.stack.map((entry) => ({ ...entry }));
  }

  /** The number of entries. */
  get len(): number {
    return this.stack.length;
  }

  /**
   * Undoes entries top to bottom with `undoEntry`, removing each once tried; failures are
   * collected and never stop the walk. Returns every failure.
   */
  /** Removes and returns the entries at or above `from` (all when absent), newest first. */
  discard(from = Number.NEGATIVE_INFINITY): RecoveryEntry[] {
    const dropped: RecoveryEntry[] = [];
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined || top.order < from) break;
      this.stack.pop();
      this.byNode.delete(top.node);
      dropped.push(top);
    }
    return dropped;
  }

  async unwind(
    undoEntry: (entry: RecoveryEntry) => Promise<void>,
    options: UnwindOptions = {},
  ): Promise<UnwindFailure[]> {
    const from = options.from ?? Number.NEGATIVE_INFINITY;
    const failures: UnwindFailure[] = [];
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined || top.order < from) break;
      if (options.signal?.aborted === true) break;
      this.stack.pop();
      this.byNode.delete(top.node);
      try {
        await undoEntry(top);
      } catch (error) {
        failures.push({ entry: top, error });
      }
    }
    return failures;
  }
}
