import { WritLoreError } from '../../graph/index.js';
import type { Platform } from '../../graph/index.js';
import { nameProblem } from './manifest-schema.js';
import type { PackageManifest, SettingValue, SourceSpec } from './manifest-schema.js';
import type { PackageRegistry } from './registry.js';
import { manifestPlatform } from './platform-names.js';
import { resolveOptions } from './resolve-options.js';

/** Options of {@link resolveInstall}. */
export interface ResolveOptions {
  /** Features to enable (`--with`); each must be declared by a resolved package. */
  readonly with?: readonly string[];
  /** Features to disable (`--without`). */
  readonly without?: readonly string[];
  /** Raw `--set name=value` settings, checked against each declaring package's type and values. */
  readonly settings?: Readonly<Record<string, string>>;
  /** The target machine in Node's terms (`process.platform`, `process.arch`). */
  readonly platform: Platform;
}

/** The source chosen for the platform, its URL resolved against the registry. */
export interface ResolvedSource {
  readonly url: string;
  readonly sha256: string;
}

/** One package of a resolution. */
export interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  readonly manifest: PackageManifest;
  /** The first declared source matching the platform (absent when the package has none). */
  readonly source?: ResolvedSource;
  readonly features: Readonly<Record<string, boolean>>;
  readonly settings: Readonly<Record<string, SettingValue>>;
  /** Whether the user asked for it by name. */
  readonly requested: boolean;
  /** The packages that depend on it, in resolution order. */
  readonly dependencyOf: readonly string[];
  /** Why it is installed: `requested`, or `dependency of greet`. */
  readonly reason: string;
}

/** What to install, dependencies first. */
export interface Resolution {
  readonly packages: readonly ResolvedPackage[];
  /** The platform in manifest terms (`linux`, `amd64`). */
  readonly platform: Platform;
  /** The platform as given, in Node's terms (`linux`, `x64`): the graph records this one. */
  readonly host: Platform;
}

/**
 * Resolves `names` and their dependencies: loads each manifest once, orders dependencies before
 * dependents, rejects cycles (naming the cycle), unsupported platforms and conflicting packages,
 * and settles each package's features, settings and source.
 *
 * @example
 * const resolution = await resolveInstall(registry, ['greet'], { platform: { os: 'linux', arch: 'x64' } });
 * resolution.packages.map((p) => `${p.name} (${p.reason})`); // ['hello-tool (dependency of greet)', 'greet (requested)']
 */
export async function resolveInstall(
  registry: PackageRegistry,
  names: readonly string[],
  options: ResolveOptions,
): Promise<Resolution> {
  if (names.length === 0) throw new WritLoreError('invalid-input', 'no package to install', { hint: 'name at least one package' });
  // Before the registry is read: a hostile name never reaches a path or a URL.
  for (const name of names) {
    const problem = nameProblem(name, 'package name');
    if (problem !== undefined) throw new WritLoreError('invalid-input', problem, { hint: 'package names use lowercase letters, digits and dashes' });
  }
  const platform = manifestPlatform(options.platform);
  const order = await orderPackages(registry, names);
  checkConflicts(order.manifests);
  const chosen = resolveOptions(order.manifests, options);
  const packages = order.manifests.map((manifest): ResolvedPackage => {
    checkPlatform(manifest, platform);
    const source = chooseSource(manifest, platform);
    const dependents = order.dependents.get(manifest.name) ?? [];
    const requested = names.includes(manifest.name);
    return {
      name: manifest.name,
      version: manifest.version,
      manifest,
      ...(source === undefined ? {} : { source: { url: registry.resolveUrl(source.url), sha256: source.sha256 } }),
      features: chosen.features.get(manifest.name) ?? {},
      settings: chosen.settings.get(manifest.name) ?? {},
      requested,
      dependencyOf: dependents,
      reason: requested ? 'requested' : `dependency of ${dependents.join(', ')}`,
    };
  });
  return { packages, platform, host: { os: options.platform.os, arch: options.platform.arch } };
}

interface Ordered {
  readonly manifests: readonly PackageManifest[];
  readonly dependents: ReadonlyMap<string, string[]>;
}

/** Depth-first, dependencies in the order listed: a post-order is dependencies-first. */
async function orderPackages(registry: PackageRegistry, names: readonly string[]): Promise<Ordered> {
  const loaded = new Map<string, PackageManifest>();
  const done = new Set<string>();
  const manifests: PackageManifest[] = [];
  const dependents = new Map<string, string[]>();
  const visit = async (name: string, stack: readonly string[]): Promise<void> => {
    if (done.has(name)) return;
    const start = stack.indexOf(name);
    if (start >= 0) {
      const cycle = [...stack.slice(start), name].join(' → ');
      const first = loaded.get(stack[start] ?? name);
      throw new WritLoreError('invalid-input', `dependency cycle: ${cycle}`, {
        ...(first === undefined ? {} : { path: first.file, line: first.lines['depends'] ?? 1 }),
        hint: 'packages cannot depend on each other in a circle; break one of the "depends" links',
      });
    }
    let manifest = loaded.get(name);
    if (manifest === undefined) {
      manifest = await registry.manifest(name);
      loaded.set(name, manifest);
    }
    for (const dependency of manifest.depends) {
      const list = dependents.get(dependency) ?? [];
      if (!list.includes(name)) list.push(name);
      dependents.set(dependency, list);
      await visit(dependency, [...stack, name]);
    }
    done.add(name);
    manifests.push(manifest);
  };
  for (const name of names) await visit(name, []);
  return { manifests, dependents };
}

function checkConflicts(manifests: readonly PackageManifest[]): void {
  const present = new Set(manifests.map((manifest) => manifest.name));
  for (const manifest of manifests) {
    const other = manifest.conflicts.find((name) => present.has(name));
    if (other !== undefined) {
      throw new WritLoreError('invalid-input', `package "${manifest.name}" conflicts with "${other}"; they cannot be installed together`, {
        path: manifest.file,
        line: manifest.lines['conflicts'] ?? 1,
        hint: `install one of them, not both`,
      });
    }
  }
}

function checkPlatform(manifest: PackageManifest, platform: Platform): void {
  if (manifest.platforms.length === 0 || manifest.platforms.includes(platform.os)) return;
  throw new WritLoreError('invalid-input', `package "${manifest.name}" supports ${manifest.platforms.join(', ')}, not ${platform.os}`, {
    path: manifest.file,
    line: manifest.lines['platforms'] ?? 1,
  });
}

function chooseSource(manifest: PackageManifest, platform: Platform): SourceSpec | undefined {
  if (manifest.sources.length === 0) return undefined;
  const match = manifest.sources.find(
    (source) => (source.os ?? platform.os) === platform.os && (source.arch ?? platform.arch) === platform.arch,
  );
  if (match !== undefined) return match;
  throw new WritLoreError('invalid-input', `package "${manifest.name}" has no source for ${platform.os}/${platform.arch}`, {
    path: manifest.file,
    line: manifest.lines['sources'] ?? 1,
  });
}
