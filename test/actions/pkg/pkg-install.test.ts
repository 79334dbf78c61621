import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pkgInstall, pkgProvider, pkgRemove } from '../../../src/actions/pkg/index.js';
import { WritLoreError } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { CHANGES, changeCalls, useFakeManager } from './fake-manager.js';

const fake = useFakeManager();

describe('pkg.install', () => {
  it('is provided by pkgProvider with both package actions', () => {
    expect(pkgProvider.actions).toEqual([pkgInstall, pkgRemove]);
    expect(pkgInstall.spec).toEqual({ required: ['manager', 'packages'] });
  });

  it.each(['apt', 'dnf', 'brew', 'npm'] as const)(
    'with %s installs only what is missing and its undo removes only that',
    async (manager) => {
      await fake.preinstall('git');
      const ctx = fake.context();
      const output = await pkgInstall.do(ctx, { manager, packages: ['git', 'jq', 'ripgrep'] });
      const state = { kind: 'installed', manager, packages: ['jq', 'ripgrep'], already_installed: ['git'] };
      expect(output).toEqual({ result: { installed: ['jq', 'ripgrep'] }, undo: state });
      expect(ctx.registered).toEqual([state]);
      expect(await fake.installed()).toEqual(['git', 'jq', 'ripgrep']);
      await pkgInstall.undo(fake.context(), state);
      expect(await fake.installed()).toEqual(['git']);
      expect(await changeCalls(fake, manager)).toEqual([
        `${CHANGES[manager].install} jq ripgrep`,
        `${CHANGES[manager].remove} jq ripgrep`,
      ]);
    },
  );

  it('does nothing and records no undo when everything is installed already', async () => {
    await fake.preinstall('jq');
    const ctx = fake.context();
    expect(await pkgInstall.do(ctx, { manager: 'apt', packages: ['jq'] })).toEqual({ result: { installed: [] } });
    expect(ctx.registered).toEqual([]);
    expect(await changeCalls(fake, 'apt')).toEqual([]);
  });

  it('probes without changing anything', async () => {
    await fake.preinstall('git');
    const slots = { manager: 'apt', packages: ['git', 'jq'] };
    expect(await pkgInstall.probe?.(fake.context(), slots)).toEqual({
      kind: 'create',
      target: 'apt:git,jq',
      detail: 'would install jq',
    });
    expect(await pkgInstall.probe?.(fake.context(), { manager: 'apt', packages: ['git'] })).toEqual({
      kind: 'ok-already',
      target: 'apt:git',
      detail: 'git installed',
    });
    expect(await fake.installed()).toEqual(['git']);
    expect(await changeCalls(fake, 'apt')).toEqual([]);
  });

  it('fails with the manager\'s error after registering undo, and undo removes only what got in', async () => {
    const ctx = fake.context();
    const error = await pkgInstall.do(ctx, { manager: 'apt', packages: ['jq', 'broken-pkg'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WritLoreError);
    expect(error).toMatchObject({
      code: 'action-failed',
      message: 'command "apt-get install -y jq broken-pkg" exited with code 100: E: Unable to locate package broken-pkg',
    });
    expect(ctx.registered).toEqual([
      { kind: 'installed', manager: 'apt', packages: ['jq', 'broken-pkg'], already_installed: [] },
    ]);
    expect(await fake.installed()).toEqual(['jq']);
    await pkgInstall.undo(fake.context(), ctx.registered[0] ?? null);
    expect(await fake.installed()).toEqual([]);
    expect(await changeCalls(fake, 'apt')).toEqual(['apt-get install -y jq broken-pkg', 'apt-get remove -y jq']);
  });

  it('logs the manager\'s output', async () => {
    const ctx = fake.context();
    await pkgInstall.do(ctx, { manager: 'apt', packages: ['broken-x'] }).catch((e: unknown) => e);
    expect(ctx.lines).toContainEqual({ level: 'info', message: '(stderr) E: Unable to locate package broken-x' });
  });

  it.each([
    ['an unknown manager', { manager: 'pacman', packages: ['jq'] }, 'slot "manager" must be one of apt, dnf, brew, npm, got "pacman"'],
    ['no packages', { manager: 'apt', packages: [] }, 'slot "packages" must name at least one package'],
    ['an option disguised as a package', { manager: 'apt', packages: ['-oDebug=1'] }, '"-oDebug=1" is not a valid package name'],
    ['a name with a space', { manager: 'apt', packages: ['a b'] }, '"a b" is not a valid package name'],
    ['packages as a string', { manager: 'apt', packages: 'jq' }, 'slot "packages" must be an array of strings, got string'],
  ])('rejects %s', async (_what, slots, message) => {
    await expect(pkgInstall.do(fake.context('p1'), slots)).rejects.toThrow(`node "p1": ${message}`);
    expect(await fake.calls()).toEqual([]);
  });

  it('rejects malformed undo state', async () => {
    await expect(pkgInstall.undo(fake.context(), { kind: 'installed', manager: 'apt', packages: ['-x'] })).rejects.toMatchObject({
      code: 'invalid-input',
    });
  });
});

function dpkgInstalled(name: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).endsWith(' installed');
  } catch (error) {
    // dpkg-query exits 1 for a package it has never seen: that is "not installed".
    if ((error as { status?: unknown }).status === 1) return false;
    throw error;
  }
}

// A gated test, not a skipped one: it really installs and removes the tiny Debian package
// "hello" with apt-get, so it runs only where LORE_TEST_APT=1 says the machine may be changed
// (as root, with apt sources reachable).
describe.runIf(process.env.LORE_TEST_APT === '1')('pkg.install with the real apt-get', () => {
  it('installs hello and its undo removes it again (unless it was there before)', async () => {
    const wasInstalled = dpkgInstalled('hello');
    const ctx = fakeActionContext({ nodeId: 'hello' });
    const output = await pkgInstall.do(ctx, { manager: 'apt', packages: ['hello'] });
    expect(dpkgInstalled('hello')).toBe(true);
    expect(output.result).toEqual({ installed: wasInstalled ? [] : ['hello'] });
    if (output.undo !== undefined) await pkgInstall.undo(fakeActionContext(), output.undo);
    expect(dpkgInstalled('hello')).toBe(wasInstalled);
  }, 300_000);
});
