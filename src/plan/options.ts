import { WritLoreError } from '../graph/index.js';
import type { GraphContext, Platform, Tool } from '../graph/index.js';
import type { Clock, OnConflict } from '../actions/index.js';
import type { NodeOptions } from './builder.js';
import type { Input } from './handles.js';
import type { BranchPredicate } from './predicate.js';
import type { Plan } from './plan.js';

/** Options of a {@link Plan}. */
export interface PlanOptions {
  readonly tool: Tool;
  /** The project of every node that does not name its own. */
  readonly project?: string;
  readonly context?: GraphContext;
  /** Where the plan's timestamp comes from; default the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
  /** An explicit timestamp (UTC ISO 8601 with ms); wins over `clock`. */
  readonly timestamp?: string;
  /** Default: this machine's `process.platform` and `process.arch`. */
  readonly platform?: Platform;
  /**
   * Slot names the executor fills from run data (variables, host facts), so validation does
   * not report them missing. Default: none.
   */
  readonly provided?: readonly string[];
}

/** How a file action treats what it finds at its target (its `on_conflict` slot). */
export type OnConflictInput = Input<OnConflict>;

/** Options of nodes that place a file system entry (mkdir, link, copy, write). */
export interface FileOptions extends NodeOptions {
  /** Default: the action's own default (`backup`), or what preflight sets. */
  readonly onConflict?: OnConflictInput;
}

/** A file mode: an octal string (`"0644"`), a number (`0o644`) or a reference. */
export type ModeInput = Input<string | number>;

/** Options of nodes that write a file with a mode. */
export interface ModeOptions extends FileOptions {
  readonly mode?: ModeInput;
}

/**
 * Whether a reference given to `copy`/`render` is the bytes (`content`, the default for node
 * handles) or a path (`source`, the default for plain strings and gather items).
 */
export interface SourceOptions {
  readonly as?: 'source' | 'content';
}

/** Options of {@link Plan.download}. */
export interface DownloadOptions extends ModeOptions {
  readonly sha256: Input<string>;
  /** A duration string (`30s`). */
  readonly timeout?: Input<string>;
}

/** Options of {@link Plan.exec}. */
export interface ExecOptions extends NodeOptions {
  readonly cwd?: Input<string>;
  readonly env?: Input<Readonly<Record<string, string>>>;
  /** Paths the command creates (its declared effects). */
  readonly creates?: Input<readonly string[]>;
  /** The argv that undoes the command. */
  readonly undo?: Input<readonly string[]>;
  readonly timeout?: Input<string>;
  /** How a reference is passed: as `argv` (default) or as a shell `command`. */
  readonly as?: 'argv' | 'command';
}

/** One branch of {@link Plan.choose}. */
export interface ChooseBranch {
  readonly when: BranchPredicate;
  /** Adds the branch's nodes; they form a body phase run only when the branch is taken. */
  readonly then: (plan: Plan) => void;
  /** The branch's phase name; default `branch <n>`. */
  readonly name?: string;
}

/** Options of {@link Plan.choose}. */
export interface ChooseOptions extends NodeOptions {
  /** Adds the nodes run when no branch matches. */
  readonly else?: (plan: Plan) => void;
}

/** Options of {@link Plan.gather}. */
export interface GatherOptions extends NodeOptions {
  /** How many items run at once; default 1. */
  readonly limit?: Input<number>;
}

const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The plan's timestamp: the explicit one (checked), else the clock's (or the system's) now. */
export function planTimestamp(options: PlanOptions): string {
  if (options.timestamp !== undefined) {
    if (!ISO_UTC_MS.test(options.timestamp) || Number.isNaN(Date.parse(options.timestamp))) {
      throw new WritLoreError(
        'invalid-input',
        `plan timestamp "${options.timestamp}" is not UTC ISO 8601 with milliseconds`,
        { hint: 'use the form 2026-01-31T12:00:00.000Z' },
      );
    }
    return options.timestamp;
  }
  return (options.clock?.now() ?? new Date()).toISOString();
}
