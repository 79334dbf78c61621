import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { WritLoreError, assertNever, didYouMean } from '../../graph/index.js';
import type { ActionCatalog, Platform } from '../../graph/index.js';
import type { Clock } from '../../actions/index.js';
import { Plan } from '../plan.js';
import type { NodeHandle } from '../handles.js';
import { loadLayerConfigs } from './config.js';
import type { MergedWritConfig } from './config.js';
import { settleCollisions } from './collisions.js';
import { CopyRules, IgnoreRules } from './ignore.js';
import { scanLayer } from './scan.js';
import { compareText } from './order.js';
import type { WritCandidate, LayerScan } from './scan.js';
import type { Segments, TargetSource, WritVariables, WritLayer, WritPlan, WritTransform } from './types.js';

/** The project deployed when neither the command line nor any writ.yaml names one. */
export const WRIT_DEFAULT_PROJECT = 'all';

/** What {@link buildWritPlan} needs; the CLI fills it from flags, the environment and config. */
export interface WritPlanOptions {
  /** Actions known to the plan (the default registry). */
  readonly catalog: ActionCatalog;
  /** Ranked layers (from {@link resolveLayers}). */
  readonly layers: readonly WritLayer[];
  /** This machine's segments (from {@link detectSegments}). */
  readonly segments: Segments;
  /** Where `Home/` deploys: an absolute path (`--target`, default `$HOME`). */
  readonly targetRoot: string;
  /** Projects named on the command line; when empty, see {@link chooseProjects}. */
  readonly projects?: readonly string[];
  /** The user's config file's defaults (projects, variables). */
  readonly userConfig?: { readonly projects?: readonly string[]; readonly variables?: WritVariables };
  /** Deploy `System/` too (`--system`). Default false. */
  readonly system?: boolean;
  /** Where `System/` deploys. Default `/` (tests point it at a temp dir). */
  readonly systemRoot?: string;
  /** The plan's timestamp (UTC ISO with ms) or a clock; default now. */
  readonly timestamp?: string;
  readonly clock?: Pick<Clock, 'now'>;
  readonly platform?: Platform;
}

/**
 * Builds the plan for a writ repository: reads every layer's writ.yaml, picks the projects,
 * scans `Home/` (and `System/` with `system`), settles collisions and adds one link or copy
 * per target (templates and secrets through render/decrypt nodes whose results flow into the
 * copy by promise slots). The graph is validated; nothing on the target side is touched.
 *
 * @example
 * const env = process.env;
 * const userConfig = readUserConfig(join(configDir, WRIT_CONFIG_FILE), env);
 * const { layers } = resolveLayers({ repo: flags.repo, layers: flags.layer.map(parseLayerFlag), userConfig, env });
 * const segments = detectSegments({ env, overrides: Object.fromEntries(flags.segment.map((s) => { const { name, value } = parseSegmentFlag(s); return [name, value]; })) });
 * const plan = buildWritPlan({ catalog: createDefaultRegistry(), layers, segments, targetRoot: flags.target ?? os.homedir(), projects: args, userConfig, system: flags.system });
 * for (const line of plan.sources) console.log(line.transform, line.target, '←', line.source);
 * await new GraphExecutor(registry, { backups, data: writRunData(plan.graph, { env }) }).run(plan.graph);
 */
export function buildWritPlan(given: WritPlanOptions): WritPlan {
  const options = { ...given, targetRoot: absoluteRoot(given.targetRoot), systemRoot: absoluteRoot(given.systemRoot ?? '/') };
  const merged = loadLayerConfigs(options.layers);
  const variables: WritVariables = { ...merged.variables, ...(options.userConfig?.variables ?? {}) };
  const projects = chooseProjects(options.projects ?? [], options.userConfig?.projects, merged);
  const scans = options.layers.map((layer) => scanLayer(layer, scanOptions(options, layer, merged, projects)));
  checkProjectsExist(projects, scans);
  const settled = settleCollisions(scans.flatMap((scan) => scan.candidates));
  const plan = new Plan(options.catalog, planOptions(options, projects, variables));
  const copyRules = new CopyRules(merged.copy);
  const sources = settled.winners.map((candidate) => addTarget(plan, candidate, copyRules));
  const graph = plan.graph();
  if (settled.collisions.length > 0) graph.collisions = settled.collisions.map((c) => ({ ...c }));
  const skipped = scans.flatMap((scan) => scan.skipped).sort((a, b) => compareText(a.path, b.path));
  return {
    graph,
    collisions: settled.collisions,
    skipped,
    sources,
    projects,
    layers: options.layers,
    segments: options.segments,
    variables,
  };
}

/**
 * The projects to deploy: those named on the command line; else the user config's
 * `projects`; else the union of the layers' `projects`; else `all`.
 */
export function chooseProjects(
  named: readonly string[],
  fromUserConfig: readonly string[] | undefined,
  merged: Pick<MergedWritConfig, 'projects'>,
): string[] {
  const chosen = named.length > 0 ? named : (fromUserConfig ?? merged.projects ?? [WRIT_DEFAULT_PROJECT]);
  return [...new Set(chosen)];
}

function scanOptions(options: WritPlanOptions, layer: WritLayer, merged: MergedWritConfig, projects: readonly string[]) {
  return {
    segments: options.segments,
    projects: new Set(projects),
    system: options.system ?? false,
    targetRoot: options.targetRoot,
    systemRoot: options.systemRoot ?? '/',
    ignore: IgnoreRules.forLayer(layer.path, merged.ignore),
  };
}

function planOptions(options: WritPlanOptions, projects: readonly string[], variables: WritVariables) {
  const system = options.system ?? false;
  const settings: Record<string, string> = { system: system ? 'on' : 'off' };
  if (system) settings['system_root'] = options.systemRoot ?? '/';
  return {
    tool: 'writ' as const,
    context: {
      target_root: options.targetRoot,
      projects,
      layers: options.layers.map((layer) => ({ name: layer.name, path: layer.path })),
      segments: options.segments,
      variables,
      settings,
    },
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.platform === undefined ? {} : { platform: options.platform }),
  };
}

/** A project that has no directory in any layer is a typo, not an empty project. */
function checkProjectsExist(projects: readonly string[], scans: readonly LayerScan[]): void {
  const known = new Set(scans.flatMap((scan) => [...scan.projects]));
  for (const project of projects) {
    if (known.has(project)) continue;
    const names = [...known].sort(compareText);
    throw new WritLoreError('not-found', `project "${project}" has no directory in any layer${didYouMean(project, names)}`, {
      hint: names.length === 0 ? 'the layers hold no project directories' : `projects: ${names.join(', ')}`,
    });
  }
}

/**
 * Adds the nodes deploying one target; returns its purchase-order line. Ids are explicit and
 * whole (`link:<target>`, `copy:<target>`, `render:<source>`, `decrypt:<source>`): derived ids
 * are shortened for display, and a receipt's ids should name the full path.
 */
function addTarget(plan: Plan, candidate: WritCandidate, copyRules: CopyRules): TargetSource {
  const transform: WritTransform =
    candidate.transform === 'link' && copyRules.isCopied(candidate.relative) ? 'copy' : candidate.transform;
  const { source, target, project } = candidate;
  const layer = candidate.layer.name;
  const annotations = { 'writ.source': source, 'writ.transform': transform, 'writ.scope': candidate.scope };
  // One options object per target (tens of thousands of them): no spreads, no closures for links.
  const node =
    transform === 'link'
      ? plan.link(source, target, { project, layer, annotations, id: `link:${target}` })
      : addCopy(plan, candidate, transform, { project, layer, annotations, id: `copy:${target}` });
  return { target, source, layer, project, scope: candidate.scope, transform, node: node.id };
}

/** The `file.copy` of a target, fed by its render and/or decrypt node when it has them. */
function addCopy(
  plan: Plan,
  candidate: WritCandidate,
  transform: Exclude<WritTransform, 'link'>,
  writing: { readonly project: string; readonly layer: string; readonly annotations: Readonly<Record<string, string>>; readonly id: string },
): NodeHandle {
  const { source, target } = candidate;
  const common = { project: writing.project, layer: writing.layer };
  const decrypt = () => plan.decrypt(source, { ...common, id: `decrypt:${source}` });
  const render = (from: NodeHandle | string) => plan.render(from, { ...common, id: `render:${source}` });
  switch (transform) {
    case 'copy':
      return plan.copy(source, target, { ...writing, mode: modeOf(source) });
    case 'render':
      return plan.copy(render(source), target, { ...writing, mode: modeOf(source) });
    case 'decrypt':
      return plan.copy(decrypt(), target, { ...writing, mode: '0600' });
    case 'decrypt-render':
      return plan.copy(render(decrypt()), target, { ...writing, mode: '0600' });
    default:
      return assertNever(transform, 'transform');
  }
}

/** `root` normalised (`/home/kim/` → `/home/kim`); it must be absolute. */
function absoluteRoot(root: string): string {
  if (!isAbsolute(root)) throw new WritLoreError('invalid-input', `target root "${root}" must be an absolute path`);
  return resolve(root);
}

/** The permission bits of a source file as an octal string (`"0755"`). */
function modeOf(source: string): string {
  try {
    return (statSync(source).mode & 0o777).toString(8).padStart(4, '0');
  } catch (error) {
    throw new WritLoreError('invalid-input', `cannot read the mode of ${source}`, { path: source, cause: error });
  }
}
