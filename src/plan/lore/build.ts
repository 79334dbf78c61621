import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { ActionCatalog, Graph, JsonObject } from '../../graph/index.js';
import type { Clock } from '../../actions/index.js';
import { Plan } from '../plan.js';
import type { NodeHandle } from '../handles.js';
import { stepApplies } from './conditions.js';
import type { ConditionFacts } from './conditions.js';
import { confinementFor } from './confine.js';
import type { Confinement } from './confine.js';
import { INSTALL_PHASES } from './manifest-schema.js';
import type { InstallPhaseName, PhaseSpec, StepSpec } from './manifest-schema.js';
import type { PackageRegistry } from './registry.js';
import type { Resolution, ResolvedPackage } from './resolve.js';
import { addStep } from './steps.js';
import type { StepScope } from './steps.js';

/** Options of {@link buildInstallPlan}. */
export interface InstallPlanOptions {
  /** The install prefix, absolute (see {@link expandPrefix}). */
  readonly prefix: string;
  /** The actions the graph is validated against (`createDefaultRegistry()`). */
  readonly catalog: ActionCatalog;
  /** The registry the resolution came from: resolves relative `download` URLs, named in the context. */
  readonly registry: Pick<PackageRegistry, 'location' | 'resolveUrl'>;
  /** The plan's timestamp, or the clock it is read from (default: now). */
  readonly timestamp?: string;
  readonly clock?: Pick<Clock, 'now'>;
}

/** One package of an install plan. */
export interface PlannedPackage {
  readonly name: string;
  readonly version: string;
  /** `<prefix>/lib/lore/<name>/<version>`. */
  readonly dir: string;
  /** The forward phase ids, in run order (phases left empty by `when:` are omitted). */
  readonly phases: readonly string[];
}

/** An install plan: the validated phased graph and what it holds per package. */
export interface InstallPlan {
  readonly graph: Graph;
  readonly packages: readonly PlannedPackage[];
}

/** Expands a leading `~` (default prefix `~/.local`) and makes the prefix absolute. */
export function expandPrefix(prefix = '~/.local', home: string = homedir()): string {
  if (prefix.trim() === '') throw new WritLoreError('invalid-input', 'the prefix is empty', { hint: 'pass --prefix DIR (default ~/.local)' });
  const expanded = prefix === '~' ? home : prefix.startsWith('~/') ? join(home, prefix.slice(2)) : prefix;
  return resolve(expanded);
}

/**
 * Builds one phased graph installing every package of `resolution` in order: per package and
 * per install phase (prepare, install, provision, verify) a phase `phase.<pkg>.<phase>` with
 * the phase's retry policy, and when the manifest has `compensate` steps a compensation phase
 * `phase.<pkg>.<phase>.compensate` that the forward phase names. Steps run in manifest order
 * inside a phase. Every path is interpolated and confined to the prefix at plan time.
 *
 * @example
 * const { graph } = buildInstallPlan(resolution, { prefix: expandPrefix(), catalog: createDefaultRegistry(), registry });
 */
export function buildInstallPlan(resolution: Resolution, options: InstallPlanOptions): InstallPlan {
  const prefix = options.prefix;
  if (!isAbsolute(prefix)) throw new WritLoreError('invalid-input', `prefix "${prefix}" must be an absolute path`);
  checkPrefixOnDisk(prefix);
  const plan = new Plan(options.catalog, {
    tool: 'lore',
    platform: resolution.host,
    context: planContext(resolution, prefix, options.registry.location),
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const packages = resolution.packages.map((pkg) => addPackage(plan, pkg, resolution, options));
  return { graph: plan.graph(), packages };
}

/** Rejects a prefix that is, or lies under, something other than a directory: no step could write there. */
function checkPrefixOnDisk(prefix: string): void {
  for (let dir = prefix; ; dir = dirname(dir)) {
    const stats = statOrUndefined(dir);
    if (stats !== undefined && !stats.isDirectory()) {
      throw new WritLoreError('invalid-input', `prefix ${prefix}: ${dir} is not a directory`, { path: dir, hint: 'choose another --prefix' });
    }
    if (stats !== undefined || dirname(dir) === dir) return;
  }
}

/** `stat` (links followed), undefined when the path or a parent of it is missing or not a directory. */
function statOrUndefined(path: string): ReturnType<typeof statSync> {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    // ENOTDIR: a parent is a file, which the walk up finds and reports.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function planContext(resolution: Resolution, prefix: string, registry: string): JsonObject {
  const features = resolution.packages.flatMap((pkg) =>
    Object.entries(pkg.features).filter(([, on]) => on).map(([name]) => `${pkg.name}:${name}`),
  );
  const settings = Object.fromEntries(
    resolution.packages.flatMap((pkg) => Object.entries(pkg.settings).map(([name, value]) => [`${pkg.name}:${name}`, String(value)])),
  );
  return {
    packages: resolution.packages.map((pkg) => `${pkg.name}@${pkg.version}`),
    prefix,
    registry,
    features,
    settings,
  };
}

function addPackage(plan: Plan, pkg: ResolvedPackage, resolution: Resolution, options: InstallPlanOptions): PlannedPackage {
  const manifest = pkg.manifest;
  const confinement = confinementFor(options.prefix, manifest, { file: manifest.file, line: manifest.lines['paths'] ?? 1 });
  const scope = stepScope(plan, pkg, resolution, confinement, options);
  const facts: ConditionFacts = { platform: resolution.platform, features: pkg.features, settings: pkg.settings };
  const phases: string[] = [];
  for (const name of INSTALL_PHASES) {
    const spec = manifest.phases[name];
    if (spec === undefined) continue;
    const steps = numbered(spec.steps).filter(({ step }) => stepApplies(step, manifest, facts));
    const compensate = numbered(spec.compensate).filter(({ step }) => stepApplies(step, manifest, facts));
    if (steps.length === 0) continue;
    phases.push(addPhase(scope, pkg.name, name, spec, { steps, compensate }));
  }
  return { name: pkg.name, version: pkg.version, dir: confinement.packageDir, phases };
}

/** Opens the forward phase (and its compensation phase), returning the forward phase id. */
function addPhase(
  scope: StepScope,
  pkg: string,
  name: InstallPhaseName,
  spec: PhaseSpec,
  chosen: { readonly steps: readonly NumberedStep[]; readonly compensate: readonly NumberedStep[] },
): string {
  const id = `phase.${pkg}.${name}`;
  const compensateId = `${id}.compensate`;
  scope.plan.phase(`${pkg} ${name}`, {
    id,
    ...(spec.retry === undefined ? {} : { retry: spec.retry }),
    ...(chosen.compensate.length === 0 ? {} : { compensate: compensateId }),
  });
  addChain(scope, chosen.steps, `${pkg}.${name}`);
  if (chosen.compensate.length > 0) {
    scope.plan.phase(`${pkg} ${name} compensate`, { id: compensateId, role: 'compensation' });
    // Compensation runs before the phase's own nodes are undone, so the package directory is
    // still there: compensation steps run where forward steps do.
    addChain(scope, chosen.compensate, `${pkg}.${name}.compensate`);
  }
  return id;
}

/** A step and its 1-based position in the manifest's list (node ids keep it when `when:` drops steps). */
interface NumberedStep {
  readonly step: StepSpec;
  readonly number: number;
}

function numbered(steps: readonly StepSpec[]): NumberedStep[] {
  return steps.map((step, index) => ({ step, number: index + 1 }));
}

/** Adds steps in order, each node after the previous one (steps are a sequence). */
function addChain(scope: StepScope, steps: readonly NumberedStep[], idBase: string): void {
  let previous: NodeHandle | undefined;
  for (const { step, number } of steps) {
    for (const node of addStep(scope, step, `${idBase}.${number}`)) {
      if (previous !== undefined) scope.plan.dependsOn(previous, node);
      previous = node;
    }
  }
}

function stepScope(
  plan: Plan,
  pkg: ResolvedPackage,
  resolution: Resolution,
  confinement: Confinement,
  options: InstallPlanOptions,
): StepScope {
  const { os, arch } = resolution.platform;
  const base = { name: pkg.name, version: pkg.version, prefix: options.prefix, os, arch };
  const variables: Record<string, string> = { ...base };
  if (pkg.source !== undefined) {
    variables['source.url'] = pkg.source.url;
    variables['source.sha256'] = pkg.source.sha256;
  }
  for (const [name, value] of Object.entries(pkg.settings)) variables[`settings.${name}`] = String(value);
  for (const [name, on] of Object.entries(pkg.features)) variables[`features.${name}`] = String(on);
  return {
    plan,
    file: pkg.manifest.file,
    variables,
    confinement,
    ...(pkg.source === undefined ? {} : { source: pkg.source }),
    defaultCwd: confinement.packageDir,
    resolveUrl: (url) => options.registry.resolveUrl(url),
    env: {
      LORE_PREFIX: options.prefix,
      LORE_PACKAGE: pkg.name,
      LORE_VERSION: pkg.version,
      LORE_PACKAGE_DIR: confinement.packageDir,
    },
    // `os` and `arch` go under `platform`: `os` is also the name of a template helper.
    templateData: { name: pkg.name, version: pkg.version, prefix: options.prefix, platform: { os, arch }, settings: { ...pkg.settings }, features: { ...pkg.features } },
    project: pkg.name,
    annotations: { 'lore.package': pkg.name, 'lore.version': pkg.version },
  };
}
