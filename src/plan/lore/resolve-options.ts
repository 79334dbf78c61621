import { WritLoreError } from '../../graph/index.js';
import { closestName } from '../../graph/index.js';
import type { PackageManifest, SettingSpec, SettingValue } from './manifest-schema.js';

/** Features and settings chosen per package. */
export interface ChosenOptions {
  readonly features: ReadonlyMap<string, Readonly<Record<string, boolean>>>;
  readonly settings: ReadonlyMap<string, Readonly<Record<string, SettingValue>>>;
}

/** What the user asked for (`--with`, `--without`, `--set`). */
export interface RequestedOptions {
  readonly with?: readonly string[];
  readonly without?: readonly string[];
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * Applies `--with`/`--without`/`--set` to every package that declares the feature or setting,
 * over the manifests' defaults. A name no package declares, a feature both enabled and disabled,
 * a value of the wrong type or outside `values`, or a setting left without a value is
 * `invalid-input`.
 */
export function resolveOptions(manifests: readonly PackageManifest[], requested: RequestedOptions): ChosenOptions {
  const enable = new Set(requested.with ?? []);
  const disable = new Set(requested.without ?? []);
  const both = [...enable].find((name) => disable.has(name));
  if (both !== undefined) throw new WritLoreError('invalid-input', `feature "${both}" is both enabled (--with) and disabled (--without)`);
  const raw = requested.settings ?? {};
  checkDeclared([...enable, ...disable], manifests.flatMap((m) => Object.keys(m.features)), 'feature', '--with/--without');
  checkDeclared(Object.keys(raw), manifests.flatMap((m) => Object.keys(m.settings)), 'setting', '--set');
  const features = new Map<string, Record<string, boolean>>();
  const settings = new Map<string, Record<string, SettingValue>>();
  for (const manifest of manifests) {
    const chosen: Record<string, boolean> = {};
    for (const [name, spec] of Object.entries(manifest.features)) {
      chosen[name] = enable.has(name) ? true : disable.has(name) ? false : spec.default;
    }
    features.set(manifest.name, chosen);
    const values: Record<string, SettingValue> = {};
    for (const [name, spec] of Object.entries(manifest.settings)) {
      const given = Object.hasOwn(raw, name) ? raw[name] : undefined;
      values[name] = given === undefined ? defaultOf(manifest, name, spec) : parseSetting(manifest.name, name, spec, given);
    }
    settings.set(manifest.name, values);
  }
  return { features, settings };
}

function checkDeclared(names: readonly string[], declared: readonly string[], kind: string, flag: string): void {
  for (const name of names) {
    if (declared.includes(name)) continue;
    const guess = closestName(name, declared);
    const didYouMean = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    const known = declared.length === 0 ? `no package here declares a ${kind}` : `known: ${[...new Set(declared)].sort().join(', ')}`;
    throw new WritLoreError('invalid-input', `${flag}: no package to install declares the ${kind} "${name}"${didYouMean}`, { hint: known });
  }
}

function defaultOf(manifest: PackageManifest, name: string, spec: SettingSpec): SettingValue {
  if (spec.default !== undefined) return spec.default;
  throw new WritLoreError('invalid-input', `setting "${name}" of package "${manifest.name}" has no default and was not set`, {
    path: manifest.file,
    line: spec.line,
    hint: `pass --set ${name}=<${spec.values?.join('|') ?? spec.type}>`,
  });
}

/** Parses a `--set` value as the setting's type and checks it against its `values`. */
export function parseSetting(pkg: string, name: string, spec: SettingSpec, text: string): SettingValue {
  const allowed = spec.values === undefined ? `a ${spec.type}` : `one of ${spec.values.map((v) => String(v)).join(', ')}`;
  const bad = (): WritLoreError =>
    new WritLoreError('invalid-input', `--set ${name}=${text}: setting "${name}" of package "${pkg}" must be ${allowed}`, {
      hint: `allowed: ${allowed}`,
    });
  let value: SettingValue;
  switch (spec.type) {
    case 'string':
      value = text;
      break;
    case 'number':
      value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw bad();
      break;
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad();
      value = text === 'true';
      break;
    default:
      return spec.type satisfies never;
  }
  if (spec.values !== undefined && !spec.values.includes(value)) throw bad();
  return value;
}
