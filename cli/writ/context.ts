import os from 'node:os';
import path from 'node:path';
import {
  CONFLICT_RESOLUTIONS,
  KeyStore,
  ReceiptStore,
  WRIT_CONFIG_FILE,
  WritLoreError,
  backupStoreFor,
  buildWritPlan,
  createDefaultRegistry,
  detectSegments,
  didYouMean,
  knownTargetsOf,
  liveLockHolder,
  parseLayerFlag,
  parseReceiptName,
  parseSegmentFlag,
  readUserConfig,
  resolveConfigDir,
  resolveLayers,
  resolveStateDir,
  targetSources,
  undoReplayAction,
  foldDeployments,
  writRunData,
  type ActionRegistry,
  type ConflictResolution,
  type Graph,
  type KnownTarget,
  type Node,
  type PreflightOptions,
  type WritPlan,
} from '../../src/index.js';
import type { Output } from '../output.js';
import type { CommandContext } from '../program.js';

/** The `--json` envelope version of the writ commands. */
export const WRIT_JSON_VERSION = 1;

/** The flags shared by the writ commands that build a plan (see cli/writ.ts). */
export interface WritFlags {
  readonly repo?: string;
  readonly layer?: readonly string[];
  readonly target?: string;
  readonly system?: boolean;
  readonly segment?: readonly string[];
  readonly conflict?: string;
  readonly conflictPath?: readonly string[];
  readonly identity?: readonly string[];
  readonly jobs?: string;
  readonly configDir?: string;
  readonly requireSignature?: boolean;
}

/** Everything a writ command works with, resolved once from flags, environment and config. */
export interface WritSession {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configDir: string;
  readonly stateDir: string;
  readonly store: ReceiptStore;
  readonly keys: KeyStore;
  readonly registry: ActionRegistry;
}

/**
 * Opens the state and config directories and the action registry (no plan yet). A `readOnly`
 * session (dry runs, `--out`, `writ diff`) writes nothing to the state directory, not even the
 * derived-value cache.
 */
export function openSession(ctx: CommandContext<WritFlags>, { readOnly = false }: { readonly readOnly?: boolean } = {}): WritSession {
  const env = ctx.streams.env;
  const { stateDir: givenState, configDir: givenConfig } = ctx.options;
  const configDir = resolveConfigDir({ env, ...(givenConfig === undefined ? {} : { configDir: givenConfig }) });
  const stateDir = resolveStateDir({ env, ...(givenState === undefined ? {} : { stateDir: givenState }) });
  const keys = new KeyStore(configDir);
  // `--require-signature` is about a saved plan (see loadPlan), not the receipts writ reads.
  const store = new ReceiptStore({ stateDir, keys, readOnly });
  const registry = createDefaultRegistry();
  registry.register(undoReplayAction(registry, { backupsFor: (stem) => backupStoreFor(store.layout, stem) }), 'writ');
  return { env, configDir, stateDir, store, keys, registry };
}

/** Builds the writ plan for the command's flags and PROJECT arguments. */
export function planFromFlags(session: WritSession, flags: WritFlags, projects: readonly string[]): WritPlan {
  const { env, configDir } = session;
  for (const [flag, value] of [['--repo', flags.repo], ['--target', flags.target]] as const) {
    // path.resolve('') is the working directory: an empty value (an unset shell variable) would deploy there.
    if (value === '') throw new WritLoreError('invalid-input', `${flag} is empty`, { hint: `give ${flag} a directory` });
  }
  const userConfig = readUserConfig(path.join(configDir, WRIT_CONFIG_FILE), env);
  const { layers } = resolveLayers({
    ...(flags.repo === undefined ? {} : { repo: flags.repo }),
    layers: (flags.layer ?? []).map(parseLayerFlag),
    ...(userConfig === undefined ? {} : { userConfig }),
    env,
  });
  const overrides = Object.fromEntries((flags.segment ?? []).map((text) => {
    const { name, value } = parseSegmentFlag(text);
    return [name, value];
  }));
  const segments = detectSegments({ env, overrides });
  const home = env['HOME'] ?? os.homedir();
  const targetRoot = path.resolve(flags.target ?? home);
  return buildWritPlan({
    catalog: session.registry,
    layers,
    segments,
    targetRoot,
    projects,
    ...(userConfig === undefined ? {} : { userConfig: pickUserDefaults(userConfig) }),
    system: flags.system === true,
  });
}

function pickUserDefaults(config: NonNullable<ReturnType<typeof readUserConfig>>) {
  return { ...(config.projects === undefined ? {} : { projects: config.projects }), variables: config.variables };
}

/** The run data for a writ graph: variables and segments from its context, `--identity` files. */
export function runDataFor(session: WritSession, graph: Graph, flags: WritFlags): Readonly<Record<string, unknown>> {
  const identities = (flags.identity ?? []).map((file) => path.resolve(file));
  return writRunData(graph, {
    env: { ...session.env },
    configDir: session.configDir,
    ...(identities.length === 0 ? {} : { ageIdentities: identities }),
  });
}

/** What the writ receipts say writ last placed at each path (for preflight's ownership test). */
export async function knownTargets(store: ReceiptStore): Promise<Map<string, KnownTarget>> {
  // Placement detail: a small cache entry per receipt instead of every node's undo state.
  const { stacks, latest } = await foldDeployments(store, { detail: 'placement' });
  if (latest === undefined) return new Map();
  const tops: Node[] = [];
  for (const stack of stacks.values()) {
    const top = stack.at(-1);
    if (top !== undefined) tops.push(top.node);
  }
  return knownTargetsOf({ ...latest, nodes: tops });
}

/**
 * Every writ command reports an interrupted run (a journal without its receipt) it finds;
 * while a live run holds the lock, the journal is that run's and the lock error names it.
 */
export async function warnInterrupted(out: Output, store: ReceiptStore): Promise<void> {
  if ((await liveLockHolder(store.layout.lock)) !== undefined) return;
  for (const journal of await store.journals()) {
    const tool = parseReceiptName(journal)?.tool ?? 'writ';
    out.warn(`an interrupted run (${path.basename(journal)}) has not been recovered: run '${tool} recover'`);
  }
}

/** Whether `target` is `root` or lies under it (a target of that target root, a path in that directory). */
export function isWithin(target: string, root: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * The conflict options from `--conflict` and `--conflict-path PATH=RESOLUTION`; a path that is
 * not one of `graph`'s targets is refused (`invalid-input`) rather than silently ignored.
 */
export function conflictOptions(flags: WritFlags, graph: Graph): Pick<PreflightOptions, 'resolution' | 'perPath'> {
  const targetRoot = graph.context.target_root ?? '/';
  const resolution = parseResolution(flags.conflict ?? 'stop', '--conflict');
  const perPath: Record<string, ConflictResolution> = {};
  const texts = flags.conflictPath ?? [];
  // The plan's targets are listed only when a --conflict-path needs checking against them.
  const targets = texts.length === 0 ? new Set<string>() : new Set(targetSources(graph).map((line) => line.target));
  for (const text of texts) {
    const index = text.lastIndexOf('=');
    if (index <= 0) {
      throw new WritLoreError('invalid-input', `--conflict-path "${text}" is not PATH=RESOLUTION`, {
        hint: 'write it as --conflict-path ~/.bashrc=backup',
      });
    }
    const target = expandTarget(text.slice(0, index), targetRoot);
    if (!targets.has(target)) throw unknownConflictPath(target, targets, targetRoot);
    perPath[target] = parseResolution(text.slice(index + 1), '--conflict-path');
  }
  return { resolution, perPath };
}

function unknownConflictPath(target: string, targets: ReadonlySet<string>, targetRoot: string): WritLoreError {
  const shown = (p: string) => `~/${path.relative(targetRoot, p)}`;
  const guess = didYouMean(shown(target), [...targets].map(shown));
  return new WritLoreError('invalid-input', `--conflict-path: ${target} is not a target of this plan${guess}`, {
    hint: "see the targets with 'writ apply --dry-run'",
  });
}

function parseResolution(text: string, flag: string): ConflictResolution {
  const found = CONFLICT_RESOLUTIONS.find((name) => name === text);
  if (found !== undefined) return found;
  throw new WritLoreError('invalid-input', `${flag}: "${text}" is not a resolution`, {
    hint: `use one of ${CONFLICT_RESOLUTIONS.join(', ')}`,
  });
}

/** `~/x` and relative paths are target paths under the target root. */
function expandTarget(text: string, targetRoot: string): string {
  if (text === '~' || text.startsWith('~/')) return path.join(targetRoot, text.slice(2));
  return path.isAbsolute(text) ? path.resolve(text) : path.join(targetRoot, text);
}

/** `--jobs N` as a positive integer (undefined: the executor's default). */
export function jobsOf(flags: WritFlags): number | undefined {
  if (flags.jobs === undefined) return undefined;
  const jobs = Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new WritLoreError('invalid-input', `--jobs must be a whole number ≥ 1, not "${flags.jobs}"`);
  }
  return jobs;
}

/** The layer roots: a symlink pointing into one of them is ours even without a receipt. */
export function ownedRootsOf(graph: Graph): string[] {
  return (graph.context.layers ?? []).map((layer) => layer.path);
}
