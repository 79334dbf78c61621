import { describe, expect, it } from 'vitest';
import { parseManifest, stepApplies } from '../../../src/plan/index.js';
import type { ConditionFacts, StepSpec } from '../../../src/plan/index.js';

const manifest = parseManifest(`name: tool
version: 1.0.0
description: conditions
features:
  completions: { description: shell completions, default: false }
  docs: { description: manual pages, default: true }
settings:
  theme: { description: theme, type: string, values: [dark, light], default: dark }
  width: { description: width, type: number, default: 80 }
`);

const FACTS: ConditionFacts = {
  platform: { os: 'linux', arch: 'amd64' },
  features: { completions: true, docs: false },
  settings: { theme: 'dark', width: 80 },
};

function step(when: StepSpec['when']): StepSpec {
  return { action: { kind: 'write', content: 'x', to: 'y' }, ...(when === undefined ? {} : { when }), line: 20 };
}

describe('stepApplies', () => {
  it.each([
    [undefined, true],
    [{ os: ['linux'] }, true],
    [{ os: ['darwin'] }, false],
    [{ arch: ['amd64', 'arm64'] }, true],
    [{ arch: ['arm64'] }, false],
    [{ feature: ['completions'] }, true],
    [{ feature: ['docs'] }, false],
    [{ feature: ['completions', 'docs'] }, false],
    [{ setting: { theme: 'dark' } }, true],
    [{ setting: { theme: 'light' } }, false],
    [{ setting: { width: 80 } }, true],
    [{ setting: { width: '80' } }, false],
    [{ os: ['linux'], arch: ['amd64'], feature: ['completions'], setting: { theme: 'dark' } }, true],
    [{ os: ['linux'], arch: ['arm64'], feature: ['completions'] }, false],
  ])('decides %j → %s', (when, expected) => {
    expect(stepApplies(step(when), manifest, FACTS)).toBe(expected);
  });

  it.each([
    [{ feature: ['completion'] }, 'step "write" tests the undeclared feature "completion"'],
    [{ os: ['darwin'], setting: { colour: 'red' } }, 'step "write" tests the undeclared setting "colour"'],
  ])('rejects a condition on an undeclared name even when another part is false: %j', (when, message) => {
    expect(() => stepApplies(step(when), manifest, FACTS)).toThrow(message);
  });
});
