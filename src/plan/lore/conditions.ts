import { WritLoreError } from '../../graph/index.js';
import type { Platform } from '../../graph/index.js';
import type { PackageManifest, SettingValue, StepSpec } from './manifest-schema.js';

/** What a `when:` condition is tested against. */
export interface ConditionFacts {
  /** The platform in manifest terms (`linux`, `amd64`). */
  readonly platform: Platform;
  readonly features: Readonly<Record<string, boolean>>;
  readonly settings: Readonly<Record<string, SettingValue>>;
}

/**
 * Whether `step` runs: every part of its `when:` must hold (os and arch match one of the listed
 * names, every listed feature is enabled, every listed setting has the given value). A feature
 * or setting the package does not declare is an `invalid-input` error at the step's line, so
 * a typo cannot silently turn a step off.
 */
export function stepApplies(step: StepSpec, manifest: PackageManifest, facts: ConditionFacts): boolean {
  const when = step.when;
  if (when === undefined) return true;
  for (const feature of when.feature ?? []) {
    if (!Object.hasOwn(manifest.features, feature)) throw undeclared(manifest, step, 'feature', feature, Object.keys(manifest.features));
  }
  for (const setting of Object.keys(when.setting ?? {})) {
    if (!Object.hasOwn(manifest.settings, setting)) throw undeclared(manifest, step, 'setting', setting, Object.keys(manifest.settings));
  }
  if (when.os !== undefined && !when.os.includes(facts.platform.os)) return false;
  if (when.arch !== undefined && !when.arch.includes(facts.platform.arch)) return false;
  if ((when.feature ?? []).some((feature) => facts.features[feature] !== true)) return false;
  return Object.entries(when.setting ?? {}).every(([name, value]) => facts.settings[name] === value);
}

function undeclared(manifest: PackageManifest, step: StepSpec, kind: string, name: string, known: readonly string[]): WritLoreError {
  const list = known.length === 0 ? `the package declares no ${kind}s` : `declared: ${known.join(', ')}`;
  return new WritLoreError('invalid-input', `step "${step.action.kind}" tests the undeclared ${kind} "${name}"`, {
    path: manifest.file,
    line: step.line,
    hint: list,
  });
}
