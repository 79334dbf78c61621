import { afterEach, describe, expect, it } from 'vitest';
import { isWritLoreError } from '../../../src/graph/index.js';
import { mergeRepoConfigs, parseRepoConfig, readRepoConfig } from '../../../src/plan/index.js';
import { FIXTURE, TempDirs } from './repo.js';
import { thrown } from '../../helpers/thrown.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

/** The error `run` throws (fails the test when it does not throw). */
describe('parseRepoConfig', () => {
  it('reads projects, copy and ignore globs with their origin, and variables', () => {
    const config = readRepoConfig(`${FIXTURE}/base`);
    const path = `${FIXTURE}/base/writ.yaml`;
    expect(config).toEqual({
      path,
      projects: ['all', 'shell', 'git'],
      copy: [{ glob: '**/.ssh/config', origin: `${path}:4` }],
      ignore: [
        { glob: '*.swp', origin: `${path}:6` },
        { glob: '**/README.md', origin: `${path}:7` },
      ],
      variables: { name: 'Kim Example', email: 'kim@example.org' },
    });
  });

  it('reads an empty file and a missing file as empty settings', () => {
    expect(parseRepoConfig('', '/r/writ.yaml')).toEqual({ path: '/r/writ.yaml', copy: [], ignore: [], variables: {} });
    expect(readRepoConfig(dirs.make())).toEqual({ copy: [], ignore: [], variables: {} });
  });

  it('names the file, the line and the closest key for an unknown key', () => {
    const error = thrown(() => parseRepoConfig('# settings\nvariables: {}\n\n\n\n\nprojcts: [all]\n', '/r/writ.yaml'));
    expect(isWritLoreError(error, 'invalid-input')).toBe(true);
    expect(error).toMatchObject({ path: '/r/writ.yaml', line: 7, message: 'unknown key "projcts" (did you mean "projects"?)' });
  });

  it.each([
    ['projects: all\n', 1, /"projects" must be a list of strings/],
    ['projects: [all, 3]\n', 1, /every entry of "projects"/],
    ['projects:\n  - all\n  - kim.Linux\n', 3, /not a project name/],
    ['copy:\n  - "*.x"\n  - {a: 1}\n', 3, /every entry of "copy"/],
    ['variables: [a]\n', 1, /"variables" must be a mapping/],
    ['variables:\n  a: !!binary aGVsbG8=\n', 2, /not a plain value/],
    ['- a\n- b\n', 1, /must be a mapping of settings/],
    ['projects: [all]\nprojects: [git]\n', 2, /unique/i],
    ['projects: [all\n', undefined, /./],
  ])('rejects %j at line %s', (text, line, message) => {
    const error = thrown(() => parseRepoConfig(text, '/r/writ.yaml'));
    expect(isWritLoreError(error, 'invalid-input')).toBe(true);
    expect(error.message).toMatch(message);
    if (line !== undefined) expect(error).toMatchObject({ line, path: '/r/writ.yaml' });
  });
});

describe('mergeRepoConfigs', () => {
  const glob = (text: string) => ({ glob: text, origin: 'x' });

  it('unions projects lowest layer first, unions globs and lets a higher layer win each variable', () => {
    const merged = mergeRepoConfigs([
      { projects: ['all', 'shell'], copy: [glob('a')], ignore: [glob('i')], variables: { name: 'Base', editor: 'vi' } },
      { copy: [], ignore: [glob('j')], variables: {} },
      { projects: ['secrets', 'shell'], copy: [glob('b')], ignore: [], variables: { name: 'Kim' } },
    ]);
    expect(merged).toEqual({
      projects: ['all', 'shell', 'secrets'],
      copy: [glob('a'), glob('b')],
      ignore: [glob('i'), glob('j')],
      variables: { name: 'Kim', editor: 'vi' },
    });
  });

  it('leaves projects unset when no layer sets them', () => {
    expect(mergeRepoConfigs([{ copy: [], ignore: [], variables: {} }])).not.toHaveProperty('projects');
  });
});
