import type { Collision, Graph, JsonValue } from '../../graph/index.js';

/** Segment name → value (`{ OS: 'Linux', FAMILY: 'Unix', DISTRO: 'Debian', ARCH: 'amd64' }`). */
export type Segments = Readonly<Record<string, string>>;

/** Template variables (`variables:` in writ.yaml). */
export type WritVariables = Readonly<Record<string, JsonValue>>;

/** A layer of a writ repository, with its rank (higher wins a collision). */
export interface WritLayer {
  readonly name: string;
  /** Absolute path of the layer root (the directory holding `Home/`, `System/`, `writ.yaml`). */
  readonly path: string;
  /** 0 for the lowest layer; a layer with a higher rank wins every collision. */
  readonly rank: number;
}

/** Which root of a layer a file comes from: `Home/` (the target) or `System/` (`/`). */
export type WritScope = 'home' | 'system';

/**
 * What happens to a source file on its way to its target: `link` (symlink), `copy` (a `copy:`
 * glob matched), `render` (`.tmpl`/`.template`), `decrypt` (`.age`), `decrypt-render` (both).
 */
export type WritTransform = 'link' | 'copy' | 'render' | 'decrypt' | 'decrypt-render';

/** Why a path of a repository is not deployed. */
export type WritSkipKind =
  /** Matched an `ignore:` glob, a `.writignore` line or an always-excluded name. */
  | 'ignored'
  /** Under `System/` while `--system` is off. */
  | 'system'
  /** A project directory of a project that was not asked for. */
  | 'not-selected'
  /** A project directory with a suffix no segment of this machine has. */
  | 'segment-mismatch'
  /** A file or hidden directory directly under `Home/` or `System/`, outside any project. */
  | 'outside-project'
  /** Neither a file, a symlink nor a directory (a socket, a FIFO…). */
  | 'unsupported-type';

/** A path of the repository left out of the plan, and why. */
export interface WritSkippedPath {
  readonly kind: WritSkipKind;
  /** Absolute path in the repository (a file or a whole directory). */
  readonly path: string;
  readonly layer: string;
  /** Human-readable reason (`ignored by .writignore line 3 "scratch/"`). */
  readonly reason: string;
}

/** Where one deployed target comes from: the purchase order line of a writ plan. */
export interface TargetSource {
  /** Absolute target path. */
  readonly target: string;
  /** Absolute source path in the repository. */
  readonly source: string;
  readonly layer: string;
  readonly project: string;
  readonly scope: WritScope;
  readonly transform: WritTransform;
  /** The id of the node that writes the target. */
  readonly node: string;
}

/** Everything a writ plan is: the pending graph plus what the CLI shows about it. */
export interface WritPlan {
  /** The validated pending graph (tool `writ`), collisions recorded in `graph.collisions`. */
  readonly graph: Graph;
  readonly collisions: readonly Collision[];
  readonly skipped: readonly WritSkippedPath[];
  /** One entry per target, sorted by target path. */
  readonly sources: readonly TargetSource[];
  /** The projects deployed, in the order they were chosen. */
  readonly projects: readonly string[];
  /** The layers, lowest rank first. */
  readonly layers: readonly WritLayer[];
  readonly segments: Segments;
  readonly variables: WritVariables;
}
