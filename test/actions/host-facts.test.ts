import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { collectHostFacts, runEnvironment, templateDataFrom } from '../../src/actions/host-facts.js';
import { WritLoreError } from '../../src/graph/index.js';

const HOST = { hostname: 'box', user: 'kim', home: '/home/kim', os: 'linux', arch: 'x64' };

describe('collectHostFacts', () => {
  it('reports the hostname, platform and architecture Node sees', () => {
    const facts = collectHostFacts();
    expect(facts).toMatchObject({ hostname: os.hostname(), os: process.platform, arch: process.arch });
    expect(facts.user).not.toBe('');
  });

  it('takes the home directory from the injected environment', () => {
    expect(collectHostFacts({ env: { HOME: '/home/elsewhere' } }).home).toBe('/home/elsewhere');
  });
});

describe('templateDataFrom', () => {
  it('lays the node variables over the run variables', () => {
    const data = templateDataFrom({ variables: { a: 1, b: 2 }, segments: { OS: 'Linux' }, host: HOST }, { b: 3 });
    expect(data).toEqual({ variables: { a: 1, b: 3 }, segments: { OS: 'Linux' }, host: HOST });
  });

  it('collects host facts when the run gives none', () => {
    expect(templateDataFrom({}).host.hostname).toBe(os.hostname());
  });

  it.each([
    ['variables', { variables: [1] }, 'run data "variables" must be an object, got an array'],
    ['segments', { segments: { OS: 1 } }, 'segment OS must be a string, got number'],
    ['host', { host: { hostname: 'x' } }, 'run data "host" must have string fields hostname, user, home, os, arch'],
  ])('rejects malformed run data %s', (_what, data, message) => {
    expect(() => templateDataFrom(data)).toThrow(new WritLoreError('invalid-input', message));
  });
});

describe('runEnvironment', () => {
  it('prefers the environment the run injects', () => {
    expect(runEnvironment({ env: { ONLY: 'this' } })).toEqual({ ONLY: 'this' });
  });

  it('falls back to process.env', () => {
    expect(runEnvironment({})).toBe(process.env);
  });

  it('rejects an env with non-string values', () => {
    expect(() => runEnvironment({ env: { N: 1 } })).toThrow('run data "env" must map names to strings');
  });
});
