import { INSTALL_PHASES, SETTING_TYPES, nameProblem } from './manifest-schema.js';
import type {
  FeatureSpec,
  IndexEntry,
  InstallPhaseName,
  PackageManifest,
  PhaseSpec,
  RegistryIndex,
  SettingSpec,
  SettingType,
  SettingValue,
  SourceSpec,
} from './manifest-schema.js';
import { readPhase } from './manifest-steps.js';
import { ARCH_NAMES, OS_NAMES, platformNameProblem } from './platform-names.js';
import { YamlSource } from './yaml-reader.js';
import type { YamlEntry, YamlValue } from './yaml-reader.js';

/** Options of {@link parseManifest} and {@link parseIndex}. */
export interface ManifestParseOptions {
  /** The file path or URL named in error messages; default `package.yaml` / `index.yaml`. */
  readonly path?: string;
}

const TOP_KEYS = {
  required: ['name', 'version', 'description'],
  optional: ['homepage', 'license', 'platforms', 'depends', 'conflicts', 'features', 'settings', 'sources', 'paths', 'phases'],
};

const SHA256 = /^(sha256:)?[0-9a-f]{64}$/;

/**
 * Parses a `package.yaml` strictly: unknown keys, wrong types, bad names and malformed steps
 * are `invalid-input` errors carrying the file and line.
 *
 * @example
 * const manifest = parseManifest(text, { path: 'packages/hello-tool/package.yaml' });
 * manifest.phases.install?.steps.length;
 */
export function parseManifest(text: string, options: ManifestParseOptions = {}): PackageManifest {
  const src = new YamlSource(text, options.path ?? 'package.yaml');
  const top = src.fields(src.root, 'package', 1, TOP_KEYS);
  const lines = Object.fromEntries([...top].map(([key, entry]) => [key, entry.line]));
  const text_ = (key: string): string | undefined => {
    const entry = top.get(key);
    return entry === undefined ? undefined : src.scalar(entry.value, 'string', `"${key}"`, entry.line);
  };
  const list = (key: string): string[] => {
    const entry = top.get(key);
    return entry === undefined ? [] : src.strings(entry.value, `"${key}"`, entry.line);
  };
  const name = checkName(src, text_('name') ?? '', top.get('name')?.line ?? 1, 'package name');
  for (const key of ['depends', 'conflicts']) {
    list(key).forEach((other) => checkName(src, other, top.get(key)?.line ?? 1, `"${key}" entry`));
  }
  const platforms = list('platforms');
  platforms.forEach((os) => checkPlatformName(src, 'os', os, top.get('platforms')?.line ?? 1));
  const homepage = text_('homepage');
  const license = text_('license');
  return {
    name,
    version: text_('version') ?? '',
    description: text_('description') ?? '',
    ...(homepage === undefined ? {} : { homepage }),
    ...(license === undefined ? {} : { license }),
    platforms,
    depends: list('depends'),
    conflicts: list('conflicts'),
    features: readFeatures(src, top.get('features')),
    settings: readSettings(src, top.get('settings')),
    sources: readSources(src, top.get('sources')),
    paths: list('paths'),
    phases: readPhases(src, top.get('phases')),
    file: src.path,
    lines,
  };
}

function checkName(src: YamlSource, name: string, line: number, what: string): string {
  const problem = nameProblem(name, what);
  if (problem !== undefined) src.fail(line, problem, 'use lowercase letters, digits and dashes');
  return name;
}

/** Rejects an os or arch name that no machine reports (a typo would never match). */
function checkPlatformName(src: YamlSource, kind: 'os' | 'arch', name: string, line: number): void {
  const problem = platformNameProblem(kind, name);
  if (problem !== undefined) src.fail(line, problem, `known: ${(kind === 'os' ? OS_NAMES : ARCH_NAMES).join(', ')}`);
}

function namedEntries(src: YamlSource, entry: YamlEntry | undefined, what: string): YamlEntry[] {
  if (entry === undefined) return [];
  const items = src.entries(src.map(entry.value, what, entry.line), 'any', what);
  for (const item of items) checkName(src, item.key, item.line, `${what} name`);
  return items;
}

function readFeatures(src: YamlSource, entry: YamlEntry | undefined): Record<string, FeatureSpec> {
  const features: Record<string, FeatureSpec> = {};
  for (const item of namedEntries(src, entry, 'features')) {
    const what = `feature "${item.key}"`;
    const f = src.fields(item.value, what, item.line, { required: ['description'], optional: ['default'] });
    const fallback = f.get('default');
    features[item.key] = {
      description: src.scalar(f.get('description')?.value ?? null, 'string', `${what} description`, item.line),
      default: fallback === undefined ? false : src.scalar(fallback.value, 'boolean', `${what} default`, fallback.line),
      line: item.line,
    };
  }
  return features;
}

function readSettings(src: YamlSource, entry: YamlEntry | undefined): Record<string, SettingSpec> {
  const settings: Record<string, SettingSpec> = {};
  for (const item of namedEntries(src, entry, 'settings')) {
    const what = `setting "${item.key}"`;
    const keys = { required: ['description', 'type'], optional: ['default', 'values'] };
    const f = src.fields(item.value, what, item.line, keys);
    const typeEntry = f.get('type');
    const type = src.scalar(typeEntry?.value ?? null, 'string', `${what} type`, item.line);
    if (!(SETTING_TYPES as readonly string[]).includes(type)) {
      src.fail(typeEntry?.line ?? item.line, `${what} type "${type}" must be one of ${SETTING_TYPES.join(', ')}`);
    }
    const typed = (node: YamlValue, label: string, line: number): SettingValue =>
      src.scalar(node, type as SettingType, `${what} ${label}`, line);
    const valuesEntry = f.get('values');
    const values = valuesEntry === undefined ? undefined
      : src.seq(valuesEntry.value, `${what} values`, valuesEntry.line).items.map((value, index) =>
          typed(value as YamlValue, `values[${index}]`, valuesEntry.line));
    const defaultEntry = f.get('default');
    const fallback = defaultEntry === undefined ? undefined : typed(defaultEntry.value, 'default', defaultEntry.line);
    if (fallback !== undefined && values !== undefined && !values.includes(fallback)) {
      src.fail(defaultEntry?.line ?? item.line, `${what} default ${JSON.stringify(fallback)} is not one of its values`);
    }
    settings[item.key] = {
      description: src.scalar(f.get('description')?.value ?? null, 'string', `${what} description`, item.line),
      type: type as SettingType,
      ...(fallback === undefined ? {} : { default: fallback }),
      ...(values === undefined ? {} : { values }),
      line: item.line,
    };
  }
  return settings;
}

function readSources(src: YamlSource, entry: YamlEntry | undefined): SourceSpec[] {
  if (entry === undefined) return [];
  return src.seq(entry.value, '"sources"', entry.line).items.map((node, index) => {
    const what = `sources[${index}]`;
    const line = src.lineOf(node as YamlValue, entry.line);
    const f = src.fields(node as YamlValue, what, line, { required: ['url', 'sha256'], optional: ['os', 'arch'] });
    const text = (key: string): string | undefined => {
      const found = f.get(key);
      return found === undefined ? undefined : src.scalar(found.value, 'string', `${what} ${key}`, found.line);
    };
    const sha = text('sha256') ?? '';
    if (!SHA256.test(sha)) src.fail(f.get('sha256')?.line ?? line, `${what} sha256 must be 64 lowercase hex digits (optionally "sha256:")`);
    const os = text('os');
    const arch = text('arch');
    if (os !== undefined) checkPlatformName(src, 'os', os, f.get('os')?.line ?? line);
    if (arch !== undefined) checkPlatformName(src, 'arch', arch, f.get('arch')?.line ?? line);
    return {
      url: text('url') ?? '',
      sha256: sha.startsWith('sha256:') ? sha : `sha256:${sha}`,
      ...(os === undefined ? {} : { os }),
      ...(arch === undefined ? {} : { arch }),
      line,
    };
  });
}

function readPhases(src: YamlSource, entry: YamlEntry | undefined): Partial<Record<InstallPhaseName, PhaseSpec>> {
  if (entry === undefined) return {};
  const phases: Partial<Record<InstallPhaseName, PhaseSpec>> = {};
  for (const item of src.entries(src.map(entry.value, '"phases"', entry.line), INSTALL_PHASES, 'phases')) {
    phases[item.key as InstallPhaseName] = readPhase(src, item.value, `phases.${item.key}`, item.line);
  }
  return phases;
}

/** Parses a registry's `index.yaml`: `packages: {name: {version, description, digest?}}`. */
export function parseIndex(text: string, options: ManifestParseOptions = {}): RegistryIndex {
  const src = new YamlSource(text, options.path ?? 'index.yaml');
  const top = src.fields(src.root, 'index', 1, { required: ['packages'] });
  const packages = top.get('packages');
  const entries: IndexEntry[] = namedEntries(src, packages, 'packages').map((item) => {
    const what = `package "${item.key}"`;
    const f = src.fields(item.value, what, item.line, { required: ['version', 'description'], optional: ['digest'] });
    const text = (key: string): string | undefined => {
      const found = f.get(key);
      return found === undefined ? undefined : src.scalar(found.value, 'string', `${what} ${key}`, found.line);
    };
    const digest = text('digest');
    if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) src.fail(f.get('digest')?.line ?? item.line, `${what} digest must be "sha256:" and 64 hex digits`);
    return { name: item.key, version: text('version') ?? '', description: text('description') ?? '', ...(digest === undefined ? {} : { digest }) };
  });
  return { packages: entries };
}
