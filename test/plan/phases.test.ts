import { describe, expect, it } from 'vitest';
import type { Phase } from '../../src/graph/index.js';
import { testPlan } from './test-registry.js';
import { thrown } from '../helpers/thrown.js';

describe('Plan.phase', () => {
  it('puts the nodes added after each phase into it, with retry and compensate', () => {
    const plan = testPlan('lore');
    const undo = plan.phase('undo-install', { role: 'compensation' });
    plan.exec(['apt-get', 'autoremove', '-y']);
    const retry = { max_attempts: 3, backoff: 'exponential', initial_delay: '500ms', max_delay: '10s', jitter: 0.2 } as const;
    const install = plan.phase('install', { retry, compensate: undo });
    plan.install('apt', ['jq']);
    plan.install('apt', ['ripgrep']);
    plan.phase('configure', { id: 'cfg', compensate: 'phase.undo-install' });
    plan.write('/etc/jq.conf', '');
    const graph = plan.graph();
    expect(install.id).toBe('phase.install');
    expect(graph.phases).toEqual([
      { id: 'phase.undo-install', name: 'undo-install', status: 'pending', role: 'compensation', nodes: ['exec:apt-get autoremove -y'] },
      { id: 'phase.install', name: 'install', status: 'pending', retry, nodes: ['install:apt:jq', 'install:apt:ripgrep'], compensate: 'phase.undo-install' },
      { id: 'cfg', name: 'configure', status: 'pending', nodes: ['write:/etc/jq.conf'], compensate: 'phase.undo-install' },
    ] satisfies Phase[]);
    expect(graph.nodes.map((node) => node.phase)).toEqual(['phase.undo-install', 'phase.install', 'phase.install', 'cfg']);
  });

  it('suffixes a repeated phase name and rejects a repeated explicit id', () => {
    const plan = testPlan('lore');
    expect(plan.phase('step').id).toBe('phase.step');
    plan.mkdir('/a');
    expect(plan.phase('step').id).toBe('phase.step#2');
    plan.mkdir('/b');
    expect(thrown(() => plan.phase('other', { id: 'phase.step' })).message).toBe('duplicate phase id "phase.step"');
  });

  it('refuses to open a phase after nodes were added outside any phase', () => {
    const plan = testPlan('lore');
    plan.mkdir('/a');
    const error = thrown(() => plan.phase('late'));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('cannot open phase "late": 1 node(s) were added outside any phase ("mkdir:/a")');
  });

  it('refuses a node in a later phase feeding a node in an earlier one', () => {
    const plan = testPlan('lore');
    plan.phase('first');
    const early = plan.mkdir('/a');
    plan.phase('second');
    const late = plan.render('/r/t');
    const error = thrown(() => plan.orders(late, early));
    expect(error.message).toBe(
      'node "mkdir:/a" (phase "phase.first") cannot depend on "render:/r/t" (phase "phase.second"): phases run in the order they were opened',
    );
  });

  it('lets a later phase consume an earlier phase’s result', () => {
    const plan = testPlan('lore');
    plan.phase('fetch');
    const download = plan.download('https://x.test/a.tgz', '/tmp/a.tgz', { sha256: 'aa'.repeat(32) });
    plan.phase('unpack');
    const unpack = plan.extract(download.field('path'), '/opt/a');
    expect(plan.graph().edges).toEqual([{ from: download.id, to: unpack.id, kind: 'data' }]);
  });

  it('graph() rejects a compensate naming a phase that does not exist', () => {
    const plan = testPlan('lore');
    plan.phase('install', { compensate: 'phase.nope' });
    plan.install('apt', ['jq']);
    const error = thrown(() => plan.graph());
    expect(error.code).toBe('invalid-graph');
    expect(error.message).toMatch(/compensate names unknown phase "phase.nope"/);
  });

  it('graph() rejects an invalid retry policy', () => {
    const plan = testPlan('lore');
    plan.phase('install', { retry: { max_attempts: 0, backoff: 'linear' } });
    plan.install('apt', ['jq']);
    expect(thrown(() => plan.graph()).message).toMatch(/max_attempts must be an integer/);
  });
});
