import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { isWritLoreError } from '../../../src/graph/index.js';
import { parseLayerFlag, parseUserConfig, rankLayers, readUserConfig, resolveLayers } from '../../../src/plan/index.js';
import { TempDirs, writeFiles } from './repo.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

function layerDirs(...names: string[]): string {
  const root = dirs.make();
  writeFiles(root, Object.fromEntries(names.map((name) => [`${name}/Home/.keep`, ''])));
  return root;
}

describe('rankLayers', () => {
  it.each([
    [['personal', 'team', 'base'], ['base', 'team', 'personal']],
    [['base', 'personal', 'team'], ['base', 'team', 'personal']],
    [['work', 'base', 'laptop', 'personal', 'team'], ['base', 'work', 'laptop', 'team', 'personal']],
    [['laptop', 'work'], ['laptop', 'work']],
  ])('ranks %j lowest first as %j', (given, expected) => {
    const ranked = rankLayers(given.map((name) => ({ name, path: `/l/${name}` })));
    expect(ranked.map((layer) => layer.name)).toEqual(expected);
    expect(ranked.map((layer) => layer.rank)).toEqual(expected.map((_, index) => index));
  });

  it('refuses a layer given twice and a bad name', () => {
    expect(() => rankLayers([{ name: 'base', path: '/a' }, { name: 'base', path: '/b' }])).toThrow(/given twice/);
    expect(() => rankLayers([{ name: 'my layer', path: '/a' }])).toThrow(/layer name/);
  });
});

describe('resolveLayers', () => {
  it('makes --repo one layer called base', () => {
    const root = layerDirs('repo');
    const resolved = resolveLayers({ repo: 'repo', env: {}, cwd: root });
    expect(resolved).toEqual({ layers: [{ name: 'base', path: join(root, 'repo'), rank: 0 }], origin: 'repo-flag' });
  });

  it('takes --layer flags over WRIT_REPO and the config file', () => {
    const root = layerDirs('a', 'b', 'c');
    const userConfig = { path: '/c/writ.yaml', layers: [{ name: 'base', path: join(root, 'c') }], variables: {} };
    const resolved = resolveLayers({
      layers: [{ name: 'personal', path: join(root, 'a') }, { name: 'base', path: join(root, 'b') }],
      userConfig,
      env: { WRIT_REPO: join(root, 'c') },
    });
    expect(resolved.origin).toBe('layer-flags');
    expect(resolved.layers.map((layer) => [layer.name, layer.path])).toEqual([
      ['base', join(root, 'b')],
      ['personal', join(root, 'a')],
    ]);
  });

  it('takes WRIT_REPO over the config file, and the config file last', () => {
    const root = layerDirs('env', 'cfg');
    const userConfig = { path: '/c/writ.yaml', layers: [{ name: 'team', path: join(root, 'cfg') }], variables: {} };
    expect(resolveLayers({ userConfig, env: { WRIT_REPO: join(root, 'env') } }).origin).toBe('environment');
    const fromConfig = resolveLayers({ userConfig, env: {} });
    expect(fromConfig).toEqual({ layers: [{ name: 'team', path: join(root, 'cfg'), rank: 0 }], origin: 'config-file' });
  });

  it('expands ~/ with HOME', () => {
    const root = layerDirs('dots');
    expect(resolveLayers({ repo: '~/dots', env: { HOME: root } }).layers[0]?.path).toBe(join(root, 'dots'));
  });

  it.each([
    [{ repo: '/x', layers: [{ name: 'base', path: '/y' }], env: {} }, 'invalid-input', /either --repo or --layer/],
    [{ env: {} }, 'not-found', /no writ repository/],
    [{ repo: '/definitely/not/here', env: {} }, 'not-found', /does not exist/],
  ] as const)('refuses %j', (sources, code, message) => {
    let caught: unknown;
    try {
      resolveLayers(sources);
    } catch (error) {
      caught = error;
    }
    expect(isWritLoreError(caught, code)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('refuses a layer that is a file', () => {
    const root = dirs.repo({ file: 'x' });
    expect(() => resolveLayers({ repo: join(root, 'file'), env: {} })).toThrow(/not a directory/);
  });
});

describe('parseLayerFlag', () => {
  it('splits NAME=DIR', () => {
    expect(parseLayerFlag('team=~/team=dots')).toEqual({ name: 'team', path: '~/team=dots' });
  });

  it.each(['team', '=dir', 'team='])('rejects %j', (text) => {
    expect(() => parseLayerFlag(text)).toThrow(/NAME=DIR/);
  });
});

describe('parseUserConfig', () => {
  it('reads layers in order (paths relative to the file or ~/), projects and variables', () => {
    const text = 'layers:\n  base: ~/dots/base\n  work: work\n  personal: /abs/personal\nprojects: [all]\nvariables: {email: kim@work.example}\n';
    expect(parseUserConfig(text, '/cfg/writ.yaml', { HOME: '/home/kim' })).toEqual({
      path: '/cfg/writ.yaml',
      layers: [
        { name: 'base', path: '/home/kim/dots/base' },
        { name: 'work', path: '/cfg/work' },
        { name: 'personal', path: '/abs/personal' },
      ],
      projects: ['all'],
      variables: { email: 'kim@work.example' },
    });
  });

  it('names the line of an unknown key and of a layer that is not a path', () => {
    expect(() => parseUserConfig('layer:\n  base: x\n', '/c/writ.yaml', {})).toThrow(/unknown key "layer" \(did you mean "layers"\?\)/);
    let caught: unknown;
    try {
      parseUserConfig('layers:\n  base: x\n  team: [a]\n', '/c/writ.yaml', {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'invalid-input', line: 3, path: '/c/writ.yaml' });
  });

  it('reads a missing config file as undefined', () => {
    expect(readUserConfig(join(dirs.make(), 'writ.yaml'), {})).toBeUndefined();
  });
});
