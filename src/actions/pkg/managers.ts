import { WritLoreError } from '../../graph/index.js';
import type { CommandResult } from '../shell/index.js';

/** The package managers `pkg.install` and `pkg.remove` drive. */
export const PACKAGE_MANAGERS = ['apt', 'dnf', 'brew', 'npm'] as const;

/** One of {@link PACKAGE_MANAGERS}. */
export type ManagerName = (typeof PACKAGE_MANAGERS)[number];

/** Runs a query command, whatever its exit code (the adapter reads the code). */
export type QueryRunner = (argv: readonly string[]) => Promise<CommandResult>;

/** How writ-lore asks one package manager what is installed, and how it installs and removes. */
export interface PackageManager {
  readonly name: ManagerName;
  /** The subset of `packages` installed now. */
  installed(packages: readonly string[], query: QueryRunner): Promise<ReadonlySet<string>>;
  installArgv(packages: readonly string[]): readonly string[];
  removeArgv(packages: readonly string[]): readonly string[];
  /** Variables the manager's commands need (e.g. no interactive prompts). */
  readonly env: Readonly<Record<string, string>>;
}

/** Asks once per package; `isInstalled` reads the query's result. */
async function eachInstalled(
  packages: readonly string[],
  query: QueryRunner,
  argv: (name: string) => readonly string[],
  isInstalled: (result: CommandResult) => boolean,
): Promise<ReadonlySet<string>> {
  const found = new Set<string>();
  for (const name of packages) if (isInstalled(await query(argv(name)))) found.add(name);
  return found;
}

const apt: PackageManager = {
  name: 'apt',
  // dpkg prints e.g. "install ok installed" or "deinstall ok config-files" (removed, config kept).
  installed: (packages, query) =>
    eachInstalled(packages, query, (name) => ['dpkg-query', '-W', '-f=${Status}', baseName(name, '=')], (r) =>
      r.exitCode === 0 && r.stdoutTail.trim().split(/\s+/)[2] === 'installed',
    ),
  installArgv: (packages) => ['apt-get', 'install', '-y', ...packages],
  removeArgv: (packages) => ['apt-get', 'remove', '-y', ...packages],
  env: { DEBIAN_FRONTEND: 'noninteractive' },
};

const dnf: PackageManager = {
  name: 'dnf',
  installed: (packages, query) =>
    eachInstalled(packages, query, (name) => ['rpm', '-q', '--quiet', name], (r) => r.exitCode === 0),
  installArgv: (packages) => ['dnf', 'install', '-y', ...packages],
  removeArgv: (packages) => ['dnf', 'remove', '-y', ...packages],
  env: {},
};

const brew: PackageManager = {
  name: 'brew',
  installed: (packages, query) =>
    eachInstalled(packages, query, (name) => ['brew', 'list', '--versions', name], (r) =>
      r.exitCode === 0 && r.stdoutTail.trim() !== '',
    ),
  installArgv: (packages) => ['brew', 'install', ...packages],
  removeArgv: (packages) => ['brew', 'uninstall', ...packages],
  env: {},
};

const npm: PackageManager = {
  name: 'npm',
  async installed(packages, query) {
    const result = await query(['npm', 'ls', '-g', '--depth=0', '--json']);
    const names = globalNpmPackages(result.stdoutTail);
    return new Set(packages.filter((name) => names.has(npmBaseName(name))));
  },
  installArgv: (packages) => ['npm', 'install', '-g', ...packages],
  removeArgv: (packages) => ['npm', 'uninstall', '-g', ...packages.map(npmBaseName)],
  env: {},
};

const MANAGERS = { apt, dnf, brew, npm } as const satisfies Record<ManagerName, PackageManager>;

/** The adapter for `name`; an unknown name is an `invalid-slot` error listing the known ones. */
export function packageManager(name: string, nodeId: string): PackageManager {
  if (!(PACKAGE_MANAGERS as readonly string[]).includes(name)) {
    throw new WritLoreError(
      'invalid-slot',
      `node "${nodeId}": slot "manager" must be one of ${PACKAGE_MANAGERS.join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  return MANAGERS[name as ManagerName];
}

/** `npm ls -g --json` output → installed package names. npm exits 1 on warnings, so only the JSON counts. */
function globalNpmPackages(json: string): ReadonlySet<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new WritLoreError('action-failed', 'cannot read the output of "npm ls -g --json"', { cause: error });
  }
  const dependencies = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).dependencies : undefined;
  if (dependencies === undefined) return new Set();
  if (typeof dependencies !== 'object' || dependencies === null) {
    throw new WritLoreError('action-failed', '"npm ls -g --json" printed no dependency map');
  }
  return new Set(Object.keys(dependencies));
}

/** `name@1.2` → `name`; `@scope/name@1.2` → `@scope/name`. */
function npmBaseName(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at === -1 ? spec : spec.slice(0, at);
}

/** `name=1.2` → `name` (apt's version pin). */
function baseName(spec: string, separator: string): string {
  const at = spec.indexOf(separator);
  return at === -1 ? spec : spec.slice(0, at);
}
