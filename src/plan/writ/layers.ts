import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import { readOptional } from './files.js';
import type { WritVariables, WritLayer } from './types.js';
import { YamlFields } from './yaml-fields.js';

/** The well-known layer names, lowest first; `personal` beats `team` beats `base`. */
export const WELL_KNOWN_LAYERS = ['base', 'team', 'personal'] as const;

/** A layer as given on the command line or in the config file, before ranking. */
export interface LayerSpec {
  readonly name: string;
  readonly path: string;
}

/** The user's `<config>/writ.yaml`: where the layers are, plus machine-wide defaults. */
export interface WritUserConfig {
  readonly path: string;
  readonly layers: readonly LayerSpec[];
  /** This machine's default projects: they replace the layers' `projects`. */
  readonly projects?: readonly string[];
  /** This machine's variables: they win over every layer's. */
  readonly variables: WritVariables;
}

/** The keys the user's writ.yaml may hold. */
export const USER_CONFIG_KEYS = ['layers', 'projects', 'variables'] as const;

/** Where the layers come from; the CLI passes its flags and environment straight through. */
export interface LayerSources {
  /** `--repo DIR`: one layer called `base`. */
  readonly repo?: string;
  /** `--layer NAME=DIR`, in the order given. */
  readonly layers?: readonly LayerSpec[];
  /** The user's config file (`<config>/writ.yaml`), already read with {@link readUserConfig}. */
  readonly userConfig?: WritUserConfig;
  /** Read for `WRIT_REPO` and `HOME` (`~/` in paths). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative flag and `WRIT_REPO` paths resolve against this; default `process.cwd()`. */
  readonly cwd?: string;
}

/** The ranked layers and where they came from. */
export interface ResolvedLayers {
  /** Lowest rank first. */
  readonly layers: readonly WritLayer[];
  readonly origin: 'layer-flags' | 'repo-flag' | 'environment' | 'config-file';
}

/**
 * Picks the layers: `--layer` flags, else `--repo`, else `WRIT_REPO`, else `layers:` in the
 * user's config (flags beat the environment, which beats the config file). Giving both
 * `--layer` and `--repo` is an error. Each layer must be an existing directory. Ranking:
 * {@link rankLayers}.
 */
export function resolveLayers(sources: LayerSources): ResolvedLayers {
  const cwd = sources.cwd ?? process.cwd();
  const flags = sources.layers ?? [];
  if (flags.length > 0 && sources.repo !== undefined) {
    throw new WritLoreError('invalid-input', 'give either --repo or --layer, not both', {
      hint: '--repo DIR is short for --layer base=DIR',
    });
  }
  const home = sources.env['HOME'];
  const at = (base: string) => (spec: LayerSpec) => ({ name: spec.name, path: expandPath(spec.path, base, home) });
  if (flags.length > 0) return ranked(flags.map(at(cwd)), 'layer-flags');
  if (sources.repo !== undefined) return ranked([at(cwd)({ name: 'base', path: sources.repo })], 'repo-flag');
  const fromEnv = sources.env['WRIT_REPO'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return ranked([at(cwd)({ name: 'base', path: fromEnv })], 'environment');
  }
  const config = sources.userConfig;
  if (config !== undefined && config.layers.length > 0) return ranked(config.layers, 'config-file');
  throw new WritLoreError('not-found', 'no writ repository given', {
    hint: 'pass --repo DIR or --layer NAME=DIR, set WRIT_REPO, or list layers: in <config>/writ.yaml',
  });
}

/**
 * Ranks layers, lowest first: `base`, then every other layer in the order given (a later one
 * beats an earlier one), then `team`, then `personal`. So the well-known names keep their
 * meaning (`personal` always has the last word, `base` is the foundation) and a custom layer
 * (`work`, `laptop`) sits between base and team.
 */
export function rankLayers(specs: readonly LayerSpec[]): WritLayer[] {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!/^[A-Za-z0-9_-]+$/.test(spec.name)) {
      throw new WritLoreError('invalid-input', `layer name "${spec.name}" must be letters, digits, "_" and "-"`);
    }
    if (seen.has(spec.name)) throw new WritLoreError('invalid-input', `layer "${spec.name}" is given twice`);
    seen.add(spec.name);
  }
  const weight = (name: string): number => ({ base: 0, team: 2, personal: 3 })[name] ?? 1;
  const order = specs.map((spec, index) => ({ spec, index }));
  order.sort((a, b) => weight(a.spec.name) - weight(b.spec.name) || a.index - b.index);
  return order.map(({ spec }, rank) => ({ name: spec.name, path: spec.path, rank }));
}

/** Parses a `--layer NAME=DIR` flag. */
export function parseLayerFlag(text: string): LayerSpec {
  const index = text.indexOf('=');
  if (index <= 0 || index === text.length - 1) {
    throw new WritLoreError('invalid-input', `layer "${text}" is not NAME=DIR`, { hint: 'write it as --layer team=~/src/team-dotfiles' });
  }
  return { name: text.slice(0, index), path: text.slice(index + 1) };
}

/** Reads the user's config file; undefined when it does not exist. Paths resolve against its directory. */
export function readUserConfig(path: string, env: Readonly<Record<string, string | undefined>>): WritUserConfig | undefined {
  const text = readOptional(path);
  return text === undefined ? undefined : parseUserConfig(text, path, env);
}

/** Parses the user's config file strictly. */
export function parseUserConfig(text: string, path: string, env: Readonly<Record<string, string | undefined>>): WritUserConfig {
  const file = new YamlFields(text, path, USER_CONFIG_KEYS);
  const base = resolve(path, '..');
  let layers: LayerSpec[] = [];
  let projects: string[] | undefined;
  let variables: WritVariables = {};
  for (const field of file.fields) {
    if (field.key === 'layers') {
      layers = file.mapping(field).map((entry) => {
        const value = file.json(entry.value, `layers.${entry.key}`);
        if (typeof value !== 'string' || value === '') {
          throw file.error(entry.value, `layer "${entry.key}" must be a directory path`);
        }
        return { name: entry.key, path: expandPath(value, base, env['HOME']) };
      });
    } else if (field.key === 'projects') {
      projects = file.projectList(field);
    } else {
      variables = file.variables(field);
    }
  }
  return { path, layers, ...(projects === undefined ? {} : { projects }), variables };
}

/** `~/x` → `$HOME/x`; relative paths resolve against `base`. */
function expandPath(path: string, base: string, home: string | undefined): string {
  if ((path === '~' || path.startsWith('~/')) && home !== undefined) return resolve(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

function ranked(specs: readonly LayerSpec[], origin: ResolvedLayers['origin']): ResolvedLayers {
  const layers = rankLayers(specs);
  for (const layer of layers) {
    const stat = statSync(layer.path, { throwIfNoEntry: false });
    if (stat === undefined) {
      throw new WritLoreError('not-found', `layer "${layer.name}" does not exist: ${layer.path}`, { path: layer.path });
    }
    if (!stat.isDirectory()) {
      throw new WritLoreError('invalid-input', `layer "${layer.name}" is not a directory: ${layer.path}`, { path: layer.path });
    }
  }
  return { layers, origin };
}
