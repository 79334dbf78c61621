import { readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  copyAction,
  digestBytes,
  linkAction,
  unlinkAction,
  type Action,
} from '../../src/actions/index.js';
import { ConflictError } from '../../src/executor/conflicts.js';
import { preflight, runPreflight, type PreflightOptions } from '../../src/executor/preflight.js';
import {
  immediate,
  promise,
  type Graph,
  type JsonValue,
  type Node,
  type Slot,
} from '../../src/graph/index.js';
import { putOccupant, useWorld, type Occupant } from '../actions/file/fixture.js';
import { pendingGraph } from '../helpers/graph.js';

const world = useWorld();
beforeEach(async () => {
  await writeFile(join(world.src, 'rc'), 'from the repo\n');
});

const source = () => join(world.src, 'rc');
const target = (name = '.rc') => join(world.home, name);

function node(id: string, action: string, slots: Record<string, Slot>): Node {
  return { id, action, status: 'pending', slots };
}
function graphOf(...nodes: Node[]): Graph {
  return pendingGraph(nodes);
}
function linkNode(id = 'link', path = target()): Node {
  return node(id, 'file.link', { source: immediate(source()), path: immediate(path) });
}
function actionsOf(graph: Graph): Map<string, Action> {
  const byName = new Map<string, Action>(
    [linkAction, copyAction, unlinkAction].map((a) => [a.name, a]),
  );
  return new Map(graph.nodes.map((n) => [n.id, byName.get(n.action)!]));
}
/** Runs every pending node in order (a stand-in for the executor) and returns the undo states. */
async function execute(graph: Graph): Promise<Array<[Action, JsonValue]>> {
  const actions = actionsOf(graph);
  const undos: Array<[Action, JsonValue]> = [];
  for (const n of graph.nodes.filter((x) => x.status === 'pending')) {
    const slots = Object.fromEntries(
      Object.entries(n.slots).map(([k, s]) => [k, s.kind === 'immediate' ? s.value : undefined]),
    );
    const out = await actions.get(n.id)!.do(world.ctx, slots);
    if (out.undo !== undefined) undos.push([actions.get(n.id)!, out.undo]);
  }
  return undos;
}
async function rollback(undos: Array<[Action, JsonValue]>): Promise<void> {
  for (const [action, state] of undos.reverse()) await action.undo!(world.ctx, state);
}

/** Each conflict kind, as a link target occupant plus what the last receipt knew. */
const KINDS: ReadonlyArray<readonly [string, Occupant, boolean]> = [
  ['file', { kind: 'file', text: 'user rc\n', mode: 0o600 }, false],
  ['directory', { kind: 'directory', files: { inner: 'x' }, mode: 0o755 }, false],
  ['foreign-symlink', { kind: 'symlink', target: '/usr/share/other' }, false],
  // The receipt recorded our link here; the user has since replaced it with a file.
  ['changed-since-receipt', { kind: 'file', text: 'hand edited\n', mode: 0o644 }, true],
];
const RESOLUTIONS = ['stop', 'backup', 'overwrite', 'skip', 'adopt'] as const;
const MATRIX = KINDS.flatMap(([kind, occupant, known]) =>
  RESOLUTIONS.map((r) => [kind, r, occupant, known] as const),
);

describe('preflight conflict matrix', () => {
  it.each(MATRIX)('%s × %s', async (kind, resolution, occupant, isKnown) => {
    await putOccupant(target(), occupant);
    const before = await world.snapshot();
    const graph = graphOf(linkNode());
    const options: PreflightOptions = {
      resolution,
      ...(isKnown
        ? {
            known: new Map([
              [target(), { type: 'symlink' as const, link_target: source() + '.old' }],
            ]),
          }
        : {}),
    };
    const adoptable = occupant.kind === 'file';
    if (resolution === 'stop' || (resolution === 'adopt' && !adoptable)) {
      const error = await runPreflight(graph, actionsOf(graph), world.ctx, options).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).conflicts).toMatchObject([
        { kind, path: target(), resolution: 'stop' },
      ]);
      expect(await world.snapshot()).toEqual(before);
      return;
    }
    const report = await runPreflight(graph, actionsOf(graph), world.ctx, options);
    expect(report.conflicts).toMatchObject([{ kind, resolution }]);
    const undos = await execute(graph);
    if (resolution === 'skip') {
      expect(graph.nodes[0]).toMatchObject({
        status: 'skipped',
        error: expect.stringMatching(/^skipped: conflict \(/),
      });
      expect(await world.snapshot()).toEqual(before);
      return;
    }
    expect(await readlink(target())).toBe(source());
    if (resolution === 'adopt')
      expect(await readFile(source(), 'utf8')).toBe((occupant as { text: string }).text);
    else
      expect(
        (undos[0]![1] as { backup: { disposable?: boolean } }).backup.disposable === true,
      ).toBe(resolution === 'overwrite');
    await rollback(undos);
    expect(await world.snapshot()).toEqual(before);
  });
});

describe('preflight', () => {
  it('reports our existing link as ok-already and a free path as create, with no conflict', async () => {
    await symlink(source(), target());
    const graph = graphOf(linkNode(), linkNode('other', target('.other')));
    const report = await preflight(graph, actionsOf(graph), world.ctx);
    expect(report.entries.map((e) => e.outcome?.kind)).toEqual(['ok-already', 'create']);
    expect(report.conflicts).toEqual([]);
  });

  it('treats a link recorded by the last receipt, or pointing into an owned root, as ours to replace', async () => {
    await symlink('/repo/old-layer/rc', target());
    await symlink(join(world.src, 'old', 'x'), target('.x'));
    const graph = graphOf(linkNode(), linkNode('x', target('.x')));
    const known = new Map([[target(), { link_target: '/repo/old-layer/rc' }]]);
    const report = await preflight(graph, actionsOf(graph), world.ctx, {
      known,
      ownedRoots: [world.src],
    });
    expect(report.entries.map((e) => e.outcome?.kind)).toEqual(['replace', 'replace']);
    expect(report.conflicts).toEqual([]);
  });

  it('flags a deployed file the user edited as changed-since-receipt, and an untouched one as ours', async () => {
    await putOccupant(target('.a'), { kind: 'file', text: 'deployed', mode: 0o644 });
    await putOccupant(target('.b'), { kind: 'file', text: 'edited', mode: 0o644 });
    const copy = (id: string, name: string) =>
      node(id, 'file.copy', { path: immediate(target(name)), content: immediate('new') });
    const graph = graphOf(copy('a', '.a'), copy('b', '.b'));
    const known = new Map([
      [target('.a'), { digest: digestBytes('deployed') }],
      [target('.b'), { digest: digestBytes('deployed') }],
    ]);
    const report = await preflight(graph, actionsOf(graph), world.ctx, {
      known,
      resolution: 'backup',
    });
    expect(report.entries.map((e) => e.outcome?.kind)).toEqual(['replace', 'conflict']);
    expect(report.conflicts).toMatchObject([
      { node: 'b', kind: 'changed-since-receipt', current: { digest: digestBytes('edited') } },
    ]);
  });

  it('stops with the full list of conflicts and changes nothing', async () => {
    await putOccupant(target('.a'), { kind: 'file', text: 'a', mode: 0o644 });
    await putOccupant(target('.b'), { kind: 'directory', files: {}, mode: 0o755 });
    await putOccupant(target('.c'), { kind: 'symlink', target: '/x' });
    const graph = graphOf(
      linkNode('a', target('.a')),
      linkNode('b', target('.b')),
      linkNode('c', target('.c')),
      linkNode('d', target('.d')),
    );
    const before = await world.snapshot();
    const error = (await runPreflight(graph, actionsOf(graph), world.ctx).catch(
      (e: unknown) => e,
    )) as ConflictError;
    expect(error).toMatchObject({ code: 'conflict' });
    expect(error.message).toMatch(/^3 conflicts; nothing was changed/);
    expect(error.conflicts.map((c) => [c.node, c.kind])).toEqual([
      ['a', 'file'],
      ['b', 'directory'],
      ['c', 'foreign-symlink'],
    ]);
    expect(
      graph.nodes.every((n) => n.status === 'pending' && n.slots['on_conflict'] === undefined),
    ).toBe(true);
    expect(await world.snapshot()).toEqual(before);
  });

  it('lets a per-path resolution win over the plan slot, and the plan slot win over the run', async () => {
    for (const name of ['.a', '.b', '.c'])
      await putOccupant(target(name), { kind: 'file', text: name, mode: 0o644 });
    const withSlot = (id: string, name: string) =>
      node(id, 'file.link', {
        source: immediate(source()),
        path: immediate(target(name)),
        on_conflict: immediate('skip'),
      });
    const graph = graphOf(withSlot('a', '.a'), withSlot('b', '.b'), linkNode('c', target('.c')));
    const report = await runPreflight(graph, actionsOf(graph), world.ctx, {
      resolution: 'backup',
      perPath: { [target('.a')]: 'overwrite' },
    });
    expect(report.conflicts.map((c) => c.resolution)).toEqual(['overwrite', 'skip', 'backup']);
    expect(graph.nodes.map((n) => n.status)).toEqual(['pending', 'skipped', 'pending']);
    expect(graph.nodes[0]!.slots['on_conflict']).toEqual(immediate('overwrite'));
    expect(graph.nodes[2]!.slots['on_conflict']).toEqual(immediate('backup'));
  });

  it('only lets skip resolve a refusal such as unlinking a regular file', async () => {
    await putOccupant(target(), { kind: 'file', text: 'x', mode: 0o644 });
    const graph = graphOf(node('u', 'file.unlink', { path: immediate(target()) }));
    const known = new Map([[target(), { digest: digestBytes('x') }]]);
    await expect(
      runPreflight(graph, actionsOf(graph), world.ctx, { resolution: 'backup', known }),
    ).rejects.toBeInstanceOf(ConflictError);
    await runPreflight(graph, actionsOf(graph), world.ctx, { resolution: 'skip', known });
    expect(graph.nodes[0]!.status).toBe('skipped');
  });

  it('reports a node whose path is a promise as unprobed, and ignores nodes that are not pending', async () => {
    const graph = graphOf(
      node('p', 'file.copy', { path: promise('other'), content: immediate('x') }),
      { ...linkNode('done'), status: 'completed' },
    );
    const report = await preflight(graph, actionsOf(graph), world.ctx);
    expect(report.entries).toEqual([
      { node: 'p', action: 'file.copy', unprobed: 'its path is known only at run time' },
    ]);
  });
});

describe('preflight scope', () => {
  it('does not probe nodes of compensation or body phases', async () => {
    await putOccupant(target(), { kind: 'file', text: 'x', mode: 0o644 });
    const graph: Graph = {
      ...graphOf(linkNode('fwd', target('.free')), linkNode('comp'), linkNode('body')),
      phases: [
        { id: 'p1', name: 'forward', status: 'pending', nodes: ['fwd'], compensate: 'p2' },
        { id: 'p2', name: 'undo', status: 'pending', role: 'compensation', nodes: ['comp'] },
        { id: 'p3', name: 'each', status: 'pending', role: 'body', nodes: ['body'] },
      ],
    };
    const report = await preflight(graph, actionsOf(graph), world.ctx);
    expect(report.entries.map((e) => e.node)).toEqual(['fwd']);
    expect(report.conflicts).toEqual([]);
  });

  it('stops with a cancelled error when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const graph = graphOf(linkNode());
    await expect(
      preflight(graph, actionsOf(graph), { ...world.ctx, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });
});
