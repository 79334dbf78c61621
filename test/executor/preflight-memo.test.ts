import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  FsMemo,
  copyAction,
  linkAction,
  shellExec,
  type Action,
} from '../../src/actions/index.js';
import { preflight } from '../../src/executor/preflight.js';
import { immediate, type Graph, type Node, type Phase } from '../../src/graph/index.js';
import { useWorld } from '../actions/file/fixture.js';
import { pendingGraph } from '../helpers/graph.js';

const world = useWorld();
beforeEach(async () => {
  await writeFile(join(world.src, 'rc'), 'from the repo\n');
});

const source = () => join(world.src, 'rc');
const target = (name: string) => join(world.home, name);

function link(id: string, name: string): Node {
  return { id, action: 'file.link', status: 'pending', slots: { source: immediate(source()), path: immediate(target(name)) } };
}
function actionsOf(graph: Graph): Map<string, Action> {
  const byName = new Map<string, Action>([linkAction, copyAction, shellExec].map((a) => [a.name, a]));
  return new Map(graph.nodes.map((n) => [n.id, byName.get(n.action)!]));
}
/** Preflight with a fresh memo; which of `names` it left marked free. */
async function freeAfterPreflight(graph: Graph, names: readonly string[]): Promise<string[]> {
  const memo = new FsMemo();
  await preflight(graph, actionsOf(graph), { ...world.ctx, memo });
  return names.filter((name) => memo.isFree(target(name)));
}

describe('preflight with a run memo', () => {
  it('marks each free target of a plan whose steps all have their own path', async () => {
    await writeFile(target('.taken'), 'user file\n');
    const graph = pendingGraph([link('a', '.a'), link('b', '.b'), link('taken', '.taken')]);
    expect(await freeAfterPreflight(graph, ['.a', '.b', '.taken'])).toEqual(['.a', '.b']);
  });

  it('trusts no free path when two steps write the same path (the first could fill it)', async () => {
    const copy: Node = {
      id: 'copy',
      action: 'file.copy',
      status: 'pending',
      slots: { source: immediate(source()), path: immediate(target('.a')) },
    };
    const graph = pendingGraph([copy, link('a', '.a'), link('b', '.b')], [{ from: 'copy', to: 'a', kind: 'order' }]);
    expect(await freeAfterPreflight(graph, ['.a', '.b'])).toEqual([]);
  });

  it('trusts no free path when a step has no known target path (it could write anywhere)', async () => {
    const shell: Node = { id: 'sh', action: 'shell.exec', status: 'pending', slots: { argv: immediate(['true']) } };
    const graph = pendingGraph([shell, link('a', '.a')]);
    expect(await freeAfterPreflight(graph, ['.a'])).toEqual([]);
  });

  it('trusts no free path when the plan has a body or compensation phase', async () => {
    const phases: Phase[] = [
      { id: 'main', name: 'main', status: 'pending', nodes: ['a'] },
      { id: 'undo', name: 'undo', status: 'pending', role: 'compensation', nodes: ['b'] },
    ];
    const graph = pendingGraph([{ ...link('a', '.a'), phase: 'main' }, { ...link('b', '.b'), phase: 'undo' }], [], phases);
    expect(await freeAfterPreflight(graph, ['.a', '.b'])).toEqual([]);
  });
});
