import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIndex, parseManifest } from '../../../src/plan/index.js';
import { thrown } from '../../helpers/thrown.js';

const HEAD = 'name: tool\nversion: 1.0.0\ndescription: a tool\n';

describe('parseManifest', () => {
  it('reads every part of the themed-prompt fixture', () => {
    const text = readFileSync('fixtures/registry/packages/themed-prompt/package.yaml', 'utf8');
    const manifest = parseManifest(text, { path: 'packages/themed-prompt/package.yaml' });
    expect(manifest).toMatchObject({ name: 'themed-prompt', version: '2.1.0', platforms: ['linux', 'darwin'], depends: [] });
    expect(manifest.features['color']).toMatchObject({ default: true });
    expect(manifest.settings['theme']).toMatchObject({ type: 'string', values: ['dark', 'light', 'solarized'], default: 'dark' });
    expect(manifest.settings['width']).toMatchObject({ type: 'number', default: 80 });
    expect(manifest.sources[0]?.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    const provision = manifest.phases.provision?.steps ?? [];
    expect(provision.map((step) => step.action.kind)).toEqual(['render', 'write', 'copy']);
    expect(provision[1]?.when).toEqual({ feature: ['git-status'] });
    expect(provision[2]?.when).toEqual({ setting: { theme: 'solarized' } });
  });

  it('reads a retry policy, compensate steps and exec options', () => {
    const text = `${HEAD}phases:
  provision:
    retry: { max_attempts: 4, backoff: linear, initial_delay: 500ms, max_delay: 5s, jitter: 0.5 }
    steps:
      - exec: { command: "make install", creates: [out], undo: "make uninstall", env: { A: b }, timeout: 1m }
      - exec: { argv: [/bin/true], effects: none }
    compensate:
      - exec: { argv: [echo, undone] }
`;
    const phase = parseManifest(text).phases.provision;
    expect(phase?.retry).toEqual({ max_attempts: 4, backoff: 'linear', initial_delay: '500ms', max_delay: '5s', jitter: 0.5 });
    expect(phase?.steps[0]).toEqual({
      action: { kind: 'exec', command: 'make install', creates: ['out'], undo: ['/bin/sh', '-c', 'make uninstall'], env: { A: 'b' }, timeout: '1m' },
      line: 8,
    });
    expect(phase?.steps[1]?.action).toEqual({ kind: 'exec', argv: ['/bin/true'], effects: 'none' });
    expect(phase?.compensate.map((step) => step.line)).toEqual([11]);
  });

  it.each([
    ['an unknown top-level key', `${HEAD}dependz: [a]\n`, 4, 'unknown key "dependz" (did you mean "depends"?)'],
    ['a missing description', 'name: tool\nversion: 1.0.0\n', 1, 'missing required key "description"'],
    ['an uppercase name', 'name: Tool\nversion: 1.0.0\ndescription: x\n', 1, 'package name "Tool" must match'],
    ['a name with a slash', 'name: a/b\nversion: 1.0.0\ndescription: x\n', 1, 'package name "a/b" must match'],
    ['a numeric version', 'name: tool\nversion: 1.0\ndescription: x\n', 2, '"version" must be a string, got number 1'],
    ['a bad dependency name', `${HEAD}depends: [../evil]\n`, 4, '"depends" entry "../evil" must match'],
    ['a feature without description', `${HEAD}features:\n  color: { default: true }\n`, 5, 'feature "color": missing required key "description"'],
    ['a setting of unknown type', `${HEAD}settings:\n  t:\n    description: d\n    type: colour\n`, 7, 'setting "t" type "colour" must be one of'],
    ['a default outside values', `${HEAD}settings:\n  t:\n    description: d\n    type: string\n    values: [a, b]\n    default: c\n`, 9, 'default "c" is not one of its values'],
    ['a bad sha256', `${HEAD}sources:\n  - url: files/x.tar.gz\n    sha256: abc\n`, 6, 'sha256 must be 64 lowercase hex digits'],
    ['an unknown phase', `${HEAD}phases:\n  instal:\n    steps: []\n`, 5, 'unknown key "instal" (did you mean "install"?)'],
    ['a phase without steps', `${HEAD}phases:\n  install:\n    retry: { max_attempts: 2 }\n`, 5, 'missing required key "steps"'],
    ['an unknown step action', `${HEAD}phases:\n  install:\n    steps:\n      - extrct: { archive: a, to: b }\n`, 7, 'unknown key "extrct" (did you mean "extract"?)'],
    ['two actions in one step', `${HEAD}phases:\n  install:\n    steps:\n      - link: { source: a, target: b }\n        copy: { source: a, to: b }\n`, 7, 'must name exactly one action'],
    ['a step missing an argument', `${HEAD}phases:\n  install:\n    steps:\n      - link: { source: a }\n`, 7, 'step "link": missing required key "target"'],
    ['an unknown step argument', `${HEAD}phases:\n  install:\n    steps:\n      - extract: { archive: a, to: b, strp: 1 }\n`, 7, 'unknown key "strp" (did you mean "strip"?)'],
    ['exec with argv and command', `${HEAD}phases:\n  install:\n    steps:\n      - exec: { argv: [a], command: b }\n`, 7, 'needs exactly one of "argv" and "command"'],
    ['a bad mode', `${HEAD}phases:\n  install:\n    steps:\n      - write: { content: x, to: y, mode: "644" }\n`, 7, 'mode "644" must be an octal string'],
    ['an unknown package manager', `${HEAD}phases:\n  install:\n    steps:\n      - pkg: { manager: yum, packages: [x] }\n`, 7, 'manager "yum" is not one of'],
    ['a bad backoff', `${HEAD}phases:\n  install:\n    retry: { max_attempts: 2, backoff: fibonacci }\n    steps: []\n`, 6, 'backoff must be one of'],
    ['a bad duration', `${HEAD}phases:\n  install:\n    retry: { max_attempts: 2, initial_delay: soon }\n    steps: []\n`, 6, 'initial_delay "soon" is not a duration'],
    ['an unknown when key', `${HEAD}phases:\n  install:\n    steps:\n      - link: { source: a, target: b }\n        when: { distro: debian }\n`, 8, 'unknown key "distro"'],
    ['an unknown platform', `${HEAD}platforms: [linux, Darwin]\n`, 4, 'unknown os "Darwin"'],
    ['a Node arch name in a source', `${HEAD}sources:\n  - url: files/x.tgz\n    sha256: ${'a'.repeat(64)}\n    arch: x64\n`, 7, 'unknown arch "x64" (did you mean "amd64"? manifests say amd64 for Node\'s x64)'],
    ['an unknown os in when', `${HEAD}phases:\n  install:\n    steps:\n      - link: { source: a, target: b }\n        when: { os: [linux, macos] }\n`, 8, 'unknown os "macos"'],
    ['an alias', `${HEAD}homepage: &h x\nlicense: *h\n`, 4, 'anchors are not allowed'],
    ['broken YAML', `${HEAD}phases: [\n`, 5, 'not valid YAML'],
    ['a boolean where a string belongs', `${HEAD}phases:\n  verify:\n    steps:\n      - exec: { argv: [true] }\n`, 7, 'argv[0] must be a string, got boolean true'],
    ['a duplicate key', `${HEAD}license: MIT\nlicense: BSD\n`, 5, 'not valid YAML'],
  ])('rejects %s with its line', (_case, text, line, message) => {
    const error = thrown(() => parseManifest(text, { path: 'packages/tool/package.yaml' }));
    expect(error.code).toBe('invalid-input');
    expect(error.path).toBe('packages/tool/package.yaml');
    expect(error.message).toContain(message);
    expect(error.line).toBe(line);
    expect(error.located.startsWith(`packages/tool/package.yaml:${line}: `)).toBe(true);
  });
});

describe('parseIndex', () => {
  it('lists the packages of the fixture registry with their digests', () => {
    const index = parseIndex(readFileSync('fixtures/registry/index.yaml', 'utf8'));
    expect(index.packages.map((entry) => entry.name)).toEqual(['broken-verify', 'greet', 'hello-tool', 'themed-prompt', 'with-hooks']);
    expect(index.packages.every((entry) => /^sha256:[0-9a-f]{64}$/.test(entry.digest ?? ''))).toBe(true);
  });

  it('rejects an entry without a version, naming its line', () => {
    const error = thrown(() => parseIndex('packages:\n  tool:\n    description: x\n', { path: 'index.yaml' }));
    expect(error.located).toBe('index.yaml:2: package "tool": missing required key "version"');
  });
});
