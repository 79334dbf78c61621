import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  KeyStore,
  ReceiptStore,
  WritLoreError,
  backupStoreFor,
  createDefaultRegistry,
  expandPrefix,
  installedPackages,
  openRegistry,
  resolveConfigDir,
  resolveStateDir,
  undoReplayAction,
  type ActionRegistry,
  type InstalledPackage,
  type LoreReceipt,
  type PackageRegistry,
} from '../../src/index.js';
import type { CommandContext } from '../program.js';

/** The flags the lore commands share (see cli/lore.ts). */
export interface LoreFlags {
  readonly registry?: string;
  readonly prefix?: string;
  readonly cacheDir?: string;
  readonly configDir?: string;
  readonly jobs?: string;
}

/** Everything a lore command works with, resolved once from flags, environment and config. */
export interface LoreSession {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stateDir: string;
  readonly configDir: string;
  readonly cacheDir: string;
  readonly store: ReceiptStore;
  readonly actions: ActionRegistry;
  /** `<config>/lore.yaml`, when present: `registry`, `prefix`. */
  readonly config: LoreConfig;
}

/** What `<config>/lore.yaml` may hold. */
export interface LoreConfig {
  readonly registry?: string;
  readonly prefix?: string;
}

/** The config file of lore, inside the config directory. */
export const LORE_CONFIG_FILE = 'lore.yaml';

/** Opens the state, config and cache directories, the receipt store and the actions. */
export function openLoreSession(ctx: CommandContext<LoreFlags>): LoreSession {
  const env = ctx.streams.env;
  const { stateDir: givenState, configDir: givenConfig, cacheDir: givenCache } = ctx.options;
  const configDir = resolveConfigDir({ env, ...(givenConfig === undefined ? {} : { configDir: givenConfig }) });
  const stateDir = resolveStateDir({ env, ...(givenState === undefined ? {} : { stateDir: givenState }) });
  const store = new ReceiptStore({ stateDir, keys: new KeyStore(configDir) });
  const actions = createDefaultRegistry();
  // A replayed undo uses the backups of the run that recorded it (`lore recover` finishing a rollback).
  actions.register(undoReplayAction(actions, { backupsFor: (stem) => backupStoreFor(store.layout, stem) }), 'lore');
  return {
    env,
    stateDir,
    configDir,
    cacheDir: resolveCacheDir(givenCache, env),
    store,
    actions,
    config: readLoreConfig(path.join(configDir, LORE_CONFIG_FILE)),
  };
}

/** `--cache-dir`, else `$XDG_CACHE_HOME/writ-lore`, else `~/.cache/writ-lore`. */
function resolveCacheDir(given: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (given !== undefined && given !== '') return path.resolve(given);
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'writ-lore');
  return path.join(env['HOME'] ?? os.homedir(), '.cache', 'writ-lore');
}

function readLoreConfig(file: string): LoreConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new WritLoreError('invalid-input', `cannot read ${file}`, { path: file, cause: error });
  }
  const parsed: unknown = parseYaml(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new WritLoreError('invalid-input', `${file}: expected a mapping`, { path: file });
  const record = parsed as Record<string, unknown>;
  const config: { registry?: string; prefix?: string } = {};
  for (const [key, value] of Object.entries(record)) {
    if ((key !== 'registry' && key !== 'prefix') || typeof value !== 'string') {
      throw new WritLoreError('invalid-input', `${file}: unknown key or non-string value "${key}"`, { path: file, hint: 'lore.yaml knows registry and prefix' });
    }
    config[key] = value;
  }
  return config;
}

/** Where the registry is: `--registry`, else `LORE_REGISTRY`, else `registry:` in lore.yaml. */
export function registryLocation(ctx: CommandContext<LoreFlags>, session: LoreSession): string {
  if (ctx.options.registry?.trim() === '') throw new WritLoreError('invalid-input', '--registry is empty', { hint: 'pass --registry DIR|URL' });
  const location = ctx.options.registry ?? nonEmpty(session.env['LORE_REGISTRY']) ?? session.config.registry;
  if (location === undefined) {
    throw new WritLoreError('invalid-input', 'no registry given', {
      hint: `pass --registry DIR|URL, set LORE_REGISTRY, or put "registry:" in ${path.join(session.configDir, LORE_CONFIG_FILE)}`,
    });
  }
  return location;
}

/** Opens the registry of a command (remote ones are cached under the cache dir). */
export function openLoreRegistry(ctx: CommandContext<LoreFlags>, session: LoreSession): PackageRegistry {
  return openRegistry(registryLocation(ctx, session), {
    cacheDir: session.cacheDir,
    onCacheFallback: (file, error) => ctx.out.warn(`${file}: ${error.message}; using the cached copy`),
  });
}

/** The install prefix: `--prefix`, else `prefix:` in lore.yaml, else `~/.local`; absolute. */
export function prefixOf(ctx: CommandContext<LoreFlags>, session: LoreSession): string {
  return expandPrefix(ctx.options.prefix ?? session.config.prefix ?? '~/.local', session.env['HOME'] ?? os.homedir());
}

/** `--jobs N` as a positive integer (default 4). */
export function jobsOf(ctx: CommandContext<LoreFlags>): number {
  const text = ctx.options.jobs;
  if (text === undefined) return 4;
  const jobs = Number(text);
  if (!Number.isInteger(jobs) || jobs < 1) throw new WritLoreError('invalid-input', `--jobs ${text}: expected a positive integer`);
  return jobs;
}

/** The lore receipts of the store, oldest first, verified (a tampered one is an error). */
export async function loreReceipts(store: ReceiptStore): Promise<LoreReceipt[]> {
  const entries = await store.list({ tools: ['lore'] });
  const receipts: LoreReceipt[] = [];
  for (const entry of entries) receipts.push({ stem: entry.stem, graph: await store.load(entry.stem) });
  return receipts;
}

/** What the receipts say is installed now. */
export async function readInstalled(store: ReceiptStore): Promise<InstalledPackage[]> {
  return installedPackages(await loreReceipts(store));
}

/** Seconds with one decimal: `0.8 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
