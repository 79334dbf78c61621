import { describe, expect, it } from 'vitest';
import { configLayout, resolveConfigDir, resolveStateDir, stateLayout } from '../../src/index.js';

describe('resolveStateDir', () => {
  it.each<[string, Record<string, string>, string | undefined, string]>([
    ['--state-dir wins', { WRIT_LORE_STATE_DIR: '/env', XDG_STATE_HOME: '/xdg' }, '/flag', '/flag'],
    ['then WRIT_LORE_STATE_DIR', { WRIT_LORE_STATE_DIR: '/env', XDG_STATE_HOME: '/xdg' }, undefined, '/env'],
    ['then XDG_STATE_HOME/writ-lore', { XDG_STATE_HOME: '/xdg' }, undefined, '/xdg/writ-lore'],
    ['then ~/.local/state/writ-lore', {}, undefined, '/home/me/.local/state/writ-lore'],
    ['ignoring empty values', { WRIT_LORE_STATE_DIR: '', XDG_STATE_HOME: '' }, '', '/home/me/.local/state/writ-lore'],
    ['ignoring a relative XDG value', { XDG_STATE_HOME: 'rel' }, undefined, '/home/me/.local/state/writ-lore'],
  ])('%s', (_label, env, flag, expected) => {
    expect(resolveStateDir({ env, home: '/home/me', ...(flag === undefined ? {} : { stateDir: flag }) })).toBe(expected);
  });

  it('makes a relative --state-dir absolute', () => {
    expect(resolveStateDir({ env: {}, stateDir: 'state' })).toBe(`${process.cwd()}/state`);
  });
});

describe('resolveConfigDir', () => {
  it.each<[Record<string, string>, string | undefined, string]>([
    [{ WRIT_LORE_CONFIG_DIR: '/env', XDG_CONFIG_HOME: '/xdg' }, '/flag', '/flag'],
    [{ WRIT_LORE_CONFIG_DIR: '/env', XDG_CONFIG_HOME: '/xdg' }, undefined, '/env'],
    [{ XDG_CONFIG_HOME: '/xdg' }, undefined, '/xdg/writ-lore'],
    [{}, undefined, '/home/me/.config/writ-lore'],
  ])('resolves %j with flag %s to %s', (env, flag, expected) => {
    expect(resolveConfigDir({ env, home: '/home/me', ...(flag === undefined ? {} : { configDir: flag }) })).toBe(expected);
  });
});

describe('layouts', () => {
  it('places receipts, backups, the lock and keys', () => {
    expect(stateLayout('/s')).toEqual({ root: '/s', receipts: '/s/receipts', backups: '/s/backups', lock: '/s/lock', cache: '/s/cache/receipts' });
    expect(configLayout('/c')).toEqual({ root: '/c', signingKey: '/c/keys/signing.key', signingPublicKey: '/c/keys/signing.pub', trusted: '/c/trusted' });
  });
});
