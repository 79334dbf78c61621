import { WritLoreError, type JsonValue } from '../../graph/index.js';
import { runEnvironment } from '../host-facts.js';
import { requireString, requireStringArray } from '../slot-values.js';
import { runCommand, type CommandResult } from '../shell/index.js';
import type { ActionLogger, ProbeContext, ResolvedSlots } from '../types.js';
import { packageManager, type ManagerName, type PackageManager, type QueryRunner } from './managers.js';

/** Query output can be long (`npm ls -g --json` on a full machine); keep all of it. */
const QUERY_TAIL_BYTES = 4 * 1024 * 1024;

/**
 * Package names and specs: no leading dash (it would be read as an option), no spaces or shell
 * metacharacters. Covers `ripgrep`, `g++`, `libfoo:amd64`, `name=1.2`, `@scope/name@1.2`.
 */
const PACKAGE_NAME = /^[A-Za-z0-9@_][A-Za-z0-9@._+:/=~-]*$/;

/** A package step, ready to query and change the system. */
export interface PackageRun {
  readonly manager: PackageManager;
  readonly packages: readonly string[];
  /** The subset of `packages` (or of `subset`) installed now. */
  installed(subset?: readonly string[]): Promise<ReadonlySet<string>>;
  /** Runs an install or remove command; fails on a non-zero exit. */
  change(argv: readonly string[], log: ActionLogger): Promise<CommandResult>;
}

/** Reads `manager` and `packages` and binds them to the context's environment, signal and clock. */
export function packageRun(ctx: ProbeContext, slots: ResolvedSlots): PackageRun {
  const manager = packageManager(requireString(slots, 'manager', ctx.nodeId), ctx.nodeId);
  return bindRun(ctx, manager, readPackages(slots, ctx.nodeId));
}

/** A run for `manager` and `packages` read back from undo state. */
export function bindRun(ctx: ProbeContext, manager: PackageManager, packages: readonly string[]): PackageRun {
  const env = { ...runEnvironment(ctx.data), ...manager.env };
  const common = { env, signal: ctx.signal, clock: ctx.clock };
  const query: QueryRunner = (argv) => runCommand({ ...common, argv, accept: 'any', tailBytes: QUERY_TAIL_BYTES });
  return {
    manager,
    packages,
    installed: (subset = packages) => manager.installed(subset, query),
    change: (argv, log) => runCommand({ ...common, argv, log }).catch((error: unknown) => {
      throw withRootHint(error, manager);
    }),
  };
}

/** System managers need root; a failure as another user says so. */
function withRootHint(error: unknown, manager: PackageManager): unknown {
  const needsRoot = manager.name === 'apt' || manager.name === 'dnf';
  if (!needsRoot || process.getuid?.() === 0 || !(error instanceof WritLoreError) || error.code !== 'action-failed') {
    return error;
  }
  return new WritLoreError(error.code, error.message, {
    hint: `${manager.name} changes system packages and needs root: run as root (e.g. with sudo)`,
    cause: error,
  });
}

function readPackages(slots: ResolvedSlots, nodeId: string): readonly string[] {
  const packages = requireStringArray(slots, 'packages', nodeId);
  if (packages.length === 0) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "packages" must name at least one package`);
  }
  for (const name of packages) {
    if (!PACKAGE_NAME.test(name)) {
      throw new WritLoreError('invalid-slot', `node "${nodeId}": ${JSON.stringify(name)} is not a valid package name`);
    }
  }
  return [...new Set(packages)];
}

/** The undo state of a package step: what this step changed, and only that. */
export type PackageUndoState =
  | { readonly kind: 'installed'; readonly manager: ManagerName; readonly packages: readonly string[]; readonly already_installed: readonly string[] }
  | { readonly kind: 'removed'; readonly manager: ManagerName; readonly packages: readonly string[] };

/** Reads back a {@link PackageUndoState} of the given kind; throws on anything else. */
export function parsePackageUndo<K extends PackageUndoState['kind']>(
  state: JsonValue,
  kind: K,
  nodeId: string,
): Extract<PackageUndoState, { kind: K }> & { readonly adapter: PackageManager } {
  const malformed = (): WritLoreError =>
    new WritLoreError('invalid-input', `pkg undo state is malformed: ${JSON.stringify(state)}`);
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw malformed();
  const record = state as Readonly<Record<string, JsonValue>>;
  const lists = kind === 'installed' ? [record.packages, record.already_installed] : [record.packages];
  if (record.kind !== kind || typeof record.manager !== 'string' || !lists.every(isStringList)) throw malformed();
  const adapter = packageManager(record.manager, nodeId);
  return { ...(record as unknown as Extract<PackageUndoState, { kind: K }>), adapter };
}

function isStringList(value: JsonValue | undefined): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && PACKAGE_NAME.test(item));
}

/** `a, b and c` for messages. */
export function listNames(names: readonly string[]): string {
  return names.length === 0 ? 'nothing' : names.join(', ');
}
