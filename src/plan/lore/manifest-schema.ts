import type { RetryPolicy } from '../../graph/index.js';
import type { ManagerName } from '../../actions/index.js';

/**
 * The shape of a lore `package.yaml` (documented in docs/formats.md, "package.yaml"). Every part
 * that can be wrong at plan time carries the line it came from, so errors name `file:line`.
 */

/** The pattern a package, feature or setting name must match. */
export const PACKAGE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** The longest package, feature or setting name: it becomes a directory name under `lib/lore/`. */
export const NAME_MAX_LENGTH = 64;

/** Why `name` is not a valid package, feature or setting name (`what` labels it), or undefined. */
export function nameProblem(name: string, what: string): string | undefined {
  // Quoted as JSON, with the controls JSON leaves raw escaped too (DEL, C1, line and bidi
  // marks), so a hostile name cannot steer the terminal; a very long name is cut short.
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (name.length > NAME_MAX_LENGTH) return `${what} ${shown} is longer than ${NAME_MAX_LENGTH} characters`;
  if (!PACKAGE_NAME_PATTERN.test(name)) return `${what} ${shown} must match ${PACKAGE_NAME_PATTERN.source}`;
  return undefined;
}

/** The phases of the install operation, in the order they run. */
export const INSTALL_PHASES = ['prepare', 'install', 'provision', 'verify'] as const;
/** One of {@link INSTALL_PHASES}. */
export type InstallPhaseName = (typeof INSTALL_PHASES)[number];

/** The step kinds a phase may hold. */
export const STEP_KINDS = ['download', 'extract', 'link', 'copy', 'write', 'render', 'exec', 'pkg'] as const;
/** One of {@link STEP_KINDS}. */
export type StepKind = (typeof STEP_KINDS)[number];

/** Setting types. */
export const SETTING_TYPES = ['string', 'number', 'boolean'] as const;
/** One of {@link SETTING_TYPES}. */
export type SettingType = (typeof SETTING_TYPES)[number];

/** A setting value once typed. */
export type SettingValue = string | number | boolean;

/** An optional feature of a package (`--with` / `--without`). */
export interface FeatureSpec {
  readonly description: string;
  readonly default: boolean;
  readonly line: number;
}

/** A typed, optionally enumerated setting (`--set name=value`). */
export interface SettingSpec {
  readonly description: string;
  readonly type: SettingType;
  readonly default?: SettingValue;
  readonly values?: readonly SettingValue[];
  readonly line: number;
}

/** A downloadable source; `url` is relative to the registry or absolute. */
export interface SourceSpec {
  readonly url: string;
  /** `sha256:` + 64 hex digits. */
  readonly sha256: string;
  readonly os?: string;
  readonly arch?: string;
  readonly line: number;
}

/** A `when:` condition: every given part must match. */
export interface StepCondition {
  readonly os?: readonly string[];
  readonly arch?: readonly string[];
  readonly feature?: readonly string[];
  readonly setting?: Readonly<Record<string, SettingValue>>;
}

/** What each step kind holds (strings may contain `${…}` and are interpolated at plan time). */
export type StepAction =
  | { readonly kind: 'download'; readonly url?: string; readonly sha256?: string; readonly to: string }
  | { readonly kind: 'extract'; readonly archive: string; readonly to: string; readonly strip?: number }
  | { readonly kind: 'link'; readonly source: string; readonly target: string }
  | { readonly kind: 'copy'; readonly source: string; readonly to: string; readonly mode?: string }
  | { readonly kind: 'write'; readonly content: string; readonly to: string; readonly mode?: string }
  | { readonly kind: 'render'; readonly template: string; readonly to: string; readonly mode?: string }
  | {
      readonly kind: 'exec';
      readonly argv?: readonly string[];
      readonly command?: string;
      readonly creates?: readonly string[];
      readonly undo?: readonly string[];
      /** `none`: a check that changes nothing, so rolling it back is a no-op. */
      readonly effects?: 'none';
      readonly cwd?: string;
      readonly env?: Readonly<Record<string, string>>;
      readonly timeout?: string;
    }
  | { readonly kind: 'pkg'; readonly manager: ManagerName; readonly packages: readonly string[] };

/** One step of a phase, with its condition and line. */
export interface StepSpec {
  readonly action: StepAction;
  readonly when?: StepCondition;
  readonly line: number;
}

/** One phase of the install operation. */
export interface PhaseSpec {
  readonly retry?: RetryPolicy;
  readonly steps: readonly StepSpec[];
  readonly compensate: readonly StepSpec[];
  readonly line: number;
}

/** A parsed, validated `package.yaml`. */
export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly homepage?: string;
  readonly license?: string;
  /** Operating systems (Node's `process.platform` names); empty = any. */
  readonly platforms: readonly string[];
  readonly depends: readonly string[];
  readonly conflicts: readonly string[];
  readonly features: Readonly<Record<string, FeatureSpec>>;
  readonly settings: Readonly<Record<string, SettingSpec>>;
  readonly sources: readonly SourceSpec[];
  /** Extra directories (relative to the prefix) the package may write besides the defaults. */
  readonly paths: readonly string[];
  readonly phases: Readonly<Partial<Record<InstallPhaseName, PhaseSpec>>>;
  /** Where the manifest was read from (file path or URL), for messages. */
  readonly file: string;
  /** The lines of the top-level keys, for messages about them. */
  readonly lines: Readonly<Record<string, number>>;
}

/** One package listed by a registry's `index.yaml`. */
export interface IndexEntry {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** `sha256:` digest of the package's `package.yaml`, when the index records it. */
  readonly digest?: string;
}

/** A registry's `index.yaml`. */
export interface RegistryIndex {
  readonly packages: readonly IndexEntry[];
}
