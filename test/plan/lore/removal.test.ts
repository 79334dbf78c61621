import { describe, expect, it } from 'vitest';
import { buildRemovalPlan, removalSteps, undoReplayAction, type Graph, type Node, type Phase } from '../../../src/index.js';
import { testRegistry } from '../test-registry.js';

function node(id: string, phase: string, startedAt: string, extra: Partial<Node> = {}, hasUndo = true): Node {
  return {
    id,
    action: 'file.link',
    status: 'completed',
    phase,
    slots: {},
    annotations: { 'lore.package': 'pkg' },
    started_at: startedAt,
    ...(hasUndo ? { undo: { id } } : {}),
    ...extra,
  };
}

function phase(id: string, nodes: string[], extra: Partial<Phase> = {}): Phase {
  return { id, name: id, status: 'completed', nodes, ...extra };
}

describe('removalSteps', () => {
  it('mirrors a rollback: phases newest first, each compensation before its nodes, nodes newest start first', () => {
    const receipt: Graph = {
      version: '1', tool: 'lore', timestamp: '2026-11-01T00:00:00.000Z', state: 'executed', platform: { os: 'linux', arch: 'x64' }, context: {},
      nodes: [
        node('pkg.prepare.1', 'phase.pkg.prepare', '2026-11-01T00:00:01.000Z'),
        node('pkg.install.1', 'phase.pkg.install', '2026-11-01T00:00:02.000Z'),
        node('pkg.install.2', 'phase.pkg.install', '2026-11-01T00:00:03.000Z'),
        node('pkg.install.3', 'phase.pkg.install', '2026-11-01T00:00:04.000Z', {}, false),
        node('pkg.install.compensate.1', 'phase.pkg.install.compensate', '', { action: 'shell.exec', status: 'pending', slots: { command: { kind: 'immediate', value: 'true' } } }, false),
      ],
      edges: [],
      phases: [
        phase('phase.pkg.prepare', ['pkg.prepare.1']),
        phase('phase.pkg.install', ['pkg.install.1', 'pkg.install.2', 'pkg.install.3'], { compensate: 'phase.pkg.install.compensate' }),
        phase('phase.pkg.install.compensate', ['pkg.install.compensate.1'], { role: 'compensation', status: 'pending' }),
      ],
    };
    expect(removalSteps(receipt, 'pkg').map((step) => `${step.kind} ${step.node.id}`)).toEqual([
      'compensate pkg.install.compensate.1',
      'undo pkg.install.2',
      'undo pkg.install.1',
      'undo pkg.prepare.1',
    ]);
    expect(removalSteps(receipt, 'other')).toEqual([]);
  });

  it('replays each undo with the install run\'s backups, where its backup refs live', () => {
    const receipt: Graph = {
      version: '1', tool: 'lore', timestamp: '2026-11-01T00:00:00.000Z', state: 'executed', platform: { os: 'linux', arch: 'x64' }, context: {},
      nodes: [node('pkg.install.1', 'phase.pkg.install', '2026-11-01T00:00:01.000Z')],
      edges: [],
      phases: [phase('phase.pkg.install', ['pkg.install.1'])],
    };
    const registry = testRegistry();
    registry.register(undoReplayAction(registry));
    const installed = { name: 'pkg', version: '1.0.0', prefix: '/opt/p', receipt: 'lore-20261101-000000-abcd', installedAt: receipt.timestamp, depends: [] };
    const plan = buildRemovalPlan([{ installed: installed as never, receipt }], { catalog: registry });
    const replay = plan.nodes.find((n) => n.action === 'receipt.undo');
    expect(replay?.slots['backups']).toEqual({ kind: 'immediate', value: 'lore-20261101-000000-abcd' });
  });
});
