import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestPlatform, openRegistry, parseSetting, resolveInstall } from '../../../src/plan/index.js';
import type { PackageRegistry, SettingSpec } from '../../../src/plan/index.js';
import { manifestText, writeRegistry, rejection } from './helpers.js';

const LINUX = { os: 'linux', arch: 'x64' };
const fixtures = openRegistry('fixtures/registry');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lore-resolve-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function registryOf(manifests: Record<string, string>): Promise<PackageRegistry> {
  return openRegistry(await writeRegistry(dir, manifests));
}

describe('resolveInstall', () => {
  it('puts dependencies first, with the reason they are installed', async () => {
    const resolution = await resolveInstall(fixtures, ['greet', 'themed-prompt'], { platform: LINUX });
    expect(resolution.packages.map((pkg) => [pkg.name, pkg.reason])).toEqual([
      ['hello-tool', 'dependency of greet'],
      ['greet', 'requested'],
      ['themed-prompt', 'requested'],
    ]);
    expect(resolution.platform).toEqual({ os: 'linux', arch: 'amd64' });
    expect(resolution.host).toEqual(LINUX);
  });

  it('resolves each source URL against the registry directory', async () => {
    const [pkg] = (await resolveInstall(fixtures, ['hello-tool'], { platform: LINUX })).packages;
    expect(pkg?.source?.url).toBe(resolve('fixtures/registry/files/hello-tool-1.0.0.tar.gz'));
    expect(pkg?.source?.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('installs a shared dependency once, before the first package needing it', async () => {
    const registry = await registryOf({
      base: manifestText('base'),
      left: manifestText('left', 'depends: [base]\n'),
      right: manifestText('right', 'depends: [base, left]\n'),
    });
    const resolution = await resolveInstall(registry, ['right', 'left'], { platform: LINUX });
    expect(resolution.packages.map((pkg) => pkg.name)).toEqual(['base', 'left', 'right']);
    expect(resolution.packages[0]?.dependencyOf).toEqual(['right', 'left']);
    expect(resolution.packages[1]?.reason).toBe('requested');
  });

  it('rejects a dependency cycle naming the whole cycle', async () => {
    const registry = await registryOf({
      a: manifestText('a', 'depends: [b]\n'),
      b: manifestText('b', 'depends: [c]\n'),
      c: manifestText('c', 'depends: [a]\n'),
    });
    const error = await rejection(resolveInstall(registry, ['a'], { platform: LINUX }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('dependency cycle: a → b → c → a');
    expect(error.located).toBe(`${join(dir, 'packages/a/package.yaml')}:4: dependency cycle: a → b → c → a`);
  });

  it('rejects a package depending on itself', async () => {
    const registry = await registryOf({ selfish: manifestText('selfish', 'depends: [selfish]\n') });
    expect((await rejection(resolveInstall(registry, ['selfish'], { platform: LINUX }))).message).toBe('dependency cycle: selfish → selfish');
  });

  it('suggests the closest name for an unknown package', async () => {
    const error = await rejection(resolveInstall(fixtures, ['helo-tool'], { platform: LINUX }));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`no package "helo-tool" in registry ${resolve('fixtures/registry')} (did you mean "hello-tool"?)`);
  });

  it('names a missing dependency as not found', async () => {
    const registry = await registryOf({ app: manifestText('app', 'depends: [ghost]\n') });
    expect((await rejection(resolveInstall(registry, ['app'], { platform: LINUX }))).code).toBe('not-found');
  });

  it('rejects packages that conflict with each other', async () => {
    const registry = await registryOf({
      vim: manifestText('vim', 'conflicts: [neovim]\n'),
      neovim: manifestText('neovim'),
    });
    const error = await rejection(resolveInstall(registry, ['neovim', 'vim'], { platform: LINUX }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('package "vim" conflicts with "neovim"; they cannot be installed together');
  });

  it('rejects a package for another platform, and chooses the source for this one', async () => {
    const sources = `platforms: [linux, darwin]\nsources:\n  - { url: files/mac.tgz, sha256: ${'a'.repeat(64)}, os: darwin }\n  - { url: files/arm.tgz, sha256: ${'b'.repeat(64)}, os: linux, arch: arm64 }\n  - { url: "https://example.invalid/x.tgz", sha256: ${'c'.repeat(64)}, os: linux, arch: amd64 }\n`;
    const registry = await registryOf({ tool: manifestText('tool', sources) });
    const [linux] = (await resolveInstall(registry, ['tool'], { platform: LINUX })).packages;
    expect(linux?.source).toEqual({ url: 'https://example.invalid/x.tgz', sha256: `sha256:${'c'.repeat(64)}` });
    const [arm] = (await resolveInstall(registry, ['tool'], { platform: { os: 'linux', arch: 'arm64' } })).packages;
    expect(arm?.source?.url).toBe(join(dir, 'files/arm.tgz'));
    const windows = await rejection(resolveInstall(registry, ['tool'], { platform: { os: 'win32', arch: 'x64' } }));
    expect(windows.message).toBe('package "tool" supports linux, darwin, not win32');
    const riscv = await rejection(resolveInstall(registry, ['tool'], { platform: { os: 'linux', arch: 'riscv64' } }));
    expect(riscv.message).toBe('package "tool" has no source for linux/riscv64');
  });

  it('applies defaults, --with, --without and --set to the packages declaring them', async () => {
    const resolution = await resolveInstall(fixtures, ['themed-prompt', 'hello-tool'], {
      platform: LINUX,
      with: ['git-status'],
      without: ['color'],
      settings: { theme: 'light', width: '120', 'show-time': 'true' },
    });
    const prompt = resolution.packages.find((pkg) => pkg.name === 'themed-prompt');
    expect(prompt?.features).toEqual({ color: false, 'git-status': true });
    expect(prompt?.settings).toEqual({ theme: 'light', width: 120, 'show-time': true });
    expect(resolution.packages.find((pkg) => pkg.name === 'hello-tool')?.settings).toEqual({});
  });

  it.each([
    [{ with: ['git-stats'] }, '--with/--without: no package to install declares the feature "git-stats" (did you mean "git-status"?)'],
    [{ with: ['color'], without: ['color'] }, 'feature "color" is both enabled (--with) and disabled (--without)'],
    [{ settings: { them: 'dark' } }, '--set: no package to install declares the setting "them" (did you mean "theme"?)'],
    [{ settings: { theme: 'blue' } }, '--set theme=blue: setting "theme" of package "themed-prompt" must be one of dark, light, solarized'],
    [{ settings: { width: 'wide' } }, '--set width=wide: setting "width" of package "themed-prompt" must be a number'],
    [{ settings: { 'show-time': 'yes' } }, '--set show-time=yes: setting "show-time" of package "themed-prompt" must be a boolean'],
  ])('rejects the options %j', async (options, message) => {
    const error = await rejection(resolveInstall(fixtures, ['themed-prompt'], { platform: LINUX, ...options }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe(message);
  });

  it('asks for a setting that has no default', async () => {
    const registry = await registryOf({ tool: manifestText('tool', 'settings:\n  token:\n    description: API token\n    type: string\n') });
    const error = await rejection(resolveInstall(registry, ['tool'], { platform: LINUX }));
    expect(error.message).toBe('setting "token" of package "tool" has no default and was not set');
    expect(error.hint).toBe('pass --set token=<string>');
    const resolved = await resolveInstall(registry, ['tool'], { platform: LINUX, settings: { token: 'abc' } });
    expect(resolved.packages[0]?.settings).toEqual({ token: 'abc' });
  });

  it('refuses an empty request', async () => {
    expect((await rejection(resolveInstall(fixtures, [], { platform: LINUX }))).message).toBe('no package to install');
  });
});

describe('parseSetting', () => {
  const number: SettingSpec = { description: 'n', type: 'number', line: 1 };
  it.each([
    ['42', 42],
    ['-1.5', -1.5],
  ])('parses %s as a number', (text, value) => {
    expect(parseSetting('p', 'n', number, text)).toBe(value);
  });
  it.each(['', ' ', 'NaN', 'Infinity', '1e999'])('rejects %j as a number', (text) => {
    expect(() => parseSetting('p', 'n', number, text)).toThrow(/must be a number/);
  });
});

describe('manifestPlatform', () => {
  it.each([
    ['x64', 'amd64'],
    ['ia32', '386'],
    ['arm64', 'arm64'],
  ])('names Node arch %s as %s', (arch, expected) => {
    expect(manifestPlatform({ os: 'linux', arch }).arch).toBe(expected);
  });
});
