import { join } from 'node:path';
import type { JsonValue } from '../../graph/index.js';
import type { WritVariables, WritLayer } from './types.js';
import { readOptional } from './files.js';
import { YamlFields } from './yaml-fields.js';
import type { YamlField } from './yaml-fields.js';

/** The name of the settings file, in a layer root and in the config directory. */
export const WRIT_CONFIG_FILE = 'writ.yaml';

/** A glob from a settings file, with where it was written (for messages). */
export interface LocatedGlob {
  readonly glob: string;
  /** `base/writ.yaml:4`. */
  readonly origin: string;
}

/** A layer's `writ.yaml`: every key optional. */
export interface WritRepoConfig {
  readonly path?: string;
  /** Projects deployed when none are named. */
  readonly projects?: readonly string[];
  /** Files matching these are copied instead of linked. */
  readonly copy: readonly LocatedGlob[];
  /** Files and directories matching these are left out. */
  readonly ignore: readonly LocatedGlob[];
  readonly variables: WritVariables;
}

/** The keys a layer's writ.yaml may hold. */
export const REPO_CONFIG_KEYS = ['projects', 'copy', 'ignore', 'variables'] as const;

/** A settings file that does not exist reads as empty. */
const EMPTY: WritRepoConfig = { copy: [], ignore: [], variables: {} };

/** Parses a layer's writ.yaml text strictly (unknown keys and wrong types name the line). */
export function parseRepoConfig(text: string, path: string): WritRepoConfig {
  const file = new YamlFields(text, path, REPO_CONFIG_KEYS);
  let projects: string[] | undefined;
  const copy: LocatedGlob[] = [];
  const ignore: LocatedGlob[] = [];
  let variables: WritVariables = {};
  for (const field of file.fields) {
    switch (field.key) {
      case 'projects':
        projects = file.projectList(field);
        break;
      case 'copy':
      case 'ignore':
        (field.key === 'copy' ? copy : ignore).push(...globsOf(file, field));
        break;
      case 'variables':
        variables = file.variables(field);
        break;
      default:
        throw file.error(field.value, `unknown key "${field.key}"`);
    }
  }
  return { path, ...(projects === undefined ? {} : { projects }), copy, ignore, variables };
}

/** Reads `<layer>/writ.yaml`; an absent file is an empty config. */
export function readRepoConfig(layerPath: string): WritRepoConfig {
  const path = join(layerPath, WRIT_CONFIG_FILE);
  const text = readOptional(path);
  return text === undefined ? EMPTY : parseRepoConfig(text, path);
}

/** The settings of all layers merged (see {@link mergeRepoConfigs}). */
export interface MergedWritConfig {
  /** Union of the layers' `projects`, lowest layer first; undefined when no layer sets it. */
  readonly projects?: readonly string[];
  readonly copy: readonly LocatedGlob[];
  readonly ignore: readonly LocatedGlob[];
  readonly variables: WritVariables;
}

/**
 * Merges the layers' settings, `configs` lowest layer first: `projects` is the union (each
 * layer adds the projects it brings; the order is lowest layer first, first mention kept),
 * `copy` and `ignore` are unions that apply to every layer, and `variables` merge per key with
 * the higher layer winning.
 */
export function mergeRepoConfigs(configs: readonly WritRepoConfig[]): MergedWritConfig {
  const projects: string[] = [];
  let anyProjects = false;
  const variables: Record<string, JsonValue> = {};
  for (const config of configs) {
    if (config.projects !== undefined) anyProjects = true;
    for (const project of config.projects ?? []) if (!projects.includes(project)) projects.push(project);
    Object.assign(variables, config.variables);
  }
  return {
    ...(anyProjects ? { projects } : {}),
    copy: configs.flatMap((config) => config.copy),
    ignore: configs.flatMap((config) => config.ignore),
    variables,
  };
}

/** Reads every layer's writ.yaml, lowest layer first, and merges them. */
export function loadLayerConfigs(layers: readonly WritLayer[]): MergedWritConfig {
  return mergeRepoConfigs(layers.map((layer) => readRepoConfig(layer.path)));
}

function globsOf(file: YamlFields, field: YamlField): LocatedGlob[] {
  return file.stringItems(field).map((item) => ({ glob: item.value, origin: `${file.path}:${item.line}` }));
}
