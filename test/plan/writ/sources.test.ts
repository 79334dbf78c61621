import { describe, expect, it } from 'vitest';
import { parseGraph, writeGraphYaml } from '../../../src/graph/index.js';
import { sourceOfTarget, targetSources, targetsByProject } from '../../../src/plan/index.js';
import { FIXTURE, planLayers } from './repo.js';

const plan = planLayers(FIXTURE, ['base', 'team', 'personal'], { projects: ['all', 'shell', 'git', 'secrets'] });

describe('targetSources', () => {
  it('reads the same lines back from the graph as the plan reports', () => {
    expect(targetSources(plan.graph)).toEqual(plan.sources);
  });

  it('reads them from a saved graph (a receipt) alone', () => {
    const reloaded = parseGraph(writeGraphYaml(plan.graph));
    expect(targetSources(reloaded)).toEqual(plan.sources);
  });
});

describe('sourceOfTarget', () => {
  it('maps a target back to its source, layer and transform', () => {
    expect(sourceOfTarget(plan.sources, '/home/kim/.config/git/config')).toMatchObject({
      source: `${FIXTURE}/base/Home/git/.config/git/config.tmpl`,
      layer: 'base',
      project: 'git',
      transform: 'render',
      node: 'copy:/home/kim/.config/git/config',
    });
    expect(sourceOfTarget(plan.sources, '/home/kim/.nothing')).toBeUndefined();
  });
});

describe('targetsByProject', () => {
  it('lists the deployed targets of each project', () => {
    expect(Object.fromEntries(targetsByProject(plan.sources))).toEqual({
      all: ['/home/kim/.inputrc'],
      git: ['/home/kim/.config/git/attributes', '/home/kim/.config/git/config', '/home/kim/.config/git/ignore'],
      secrets: ['/home/kim/.config/writ-example/token.env'],
      shell: ['/home/kim/.bash_aliases', '/home/kim/.bashrc', '/home/kim/.bashrc.d/linux.sh', '/home/kim/.profile'],
    });
  });
});
