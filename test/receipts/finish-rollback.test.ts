import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReceiptStore, unfinishedRollbacks, type Graph, type Node } from '../../src/index.js';
import { makeTempDir, removeTempDir, sampleGraph } from './helpers.js';

let dir: string;
let store: ReceiptStore;

beforeEach(async () => {
  dir = await makeTempDir();
  store = new ReceiptStore({ stateDir: dir });
});

afterEach(async () => {
  await removeTempDir(dir);
});

/** An `interrupted` writ run: one node undone, one left (its undo failed), one failed with undo, one without undo. */
function interruptedRun(timestamp: string): Graph {
  const base = sampleGraph({ timestamp, state: 'interrupted', nodes: 4 });
  const undo = { kind: 'place', path: '/home/user/x' };
  const at = (second: number): string => timestamp.replace(/:00\.000Z$/, `:0${second}.000Z`);
  const nodes: Node[] = base.nodes.map((node, index) => {
    switch (index) {
      case 0:
        return { ...node, status: 'compensated', undo, started_at: at(1) };
      case 1:
        return { ...node, status: 'completed', undo, started_at: at(2) };
      case 2:
        return { ...node, status: 'failed', undo, started_at: at(3) };
      default:
        return { ...node, status: 'completed', started_at: at(4) };
    }
  });
  return { ...base, nodes };
}

describe('unfinishedRollbacks', () => {
  it('lists an interrupted run with the nodes whose undo is left, newest start first', async () => {
    const { stem } = await store.write(interruptedRun('2026-11-01T12:00:00.000Z'));
    await store.write(sampleGraph({ timestamp: '2026-11-01T12:05:00.000Z' }));
    const runs = await unfinishedRollbacks(store, 'writ');
    expect(runs.map((run) => run.stem)).toEqual([stem]);
    expect(runs[0]?.nodes.map((node) => node.id)).toEqual(['link-2', 'link-1']);
    expect(await unfinishedRollbacks(store, 'lore')).toEqual([]);
  });

  it('leaves out a run a later succeeded rollback finished, and rollbacks themselves', async () => {
    const { stem } = await store.write(interruptedRun('2026-11-01T12:00:00.000Z'));
    const failedFinish = sampleGraph({ timestamp: '2026-11-01T12:01:00.000Z', state: 'rolled_back' });
    await store.write({ ...failedFinish, context: { ...failedFinish.context, settings: { operation: 'rollback', undo_of: stem } } });
    expect((await unfinishedRollbacks(store, 'writ')).map((run) => run.stem)).toEqual([stem]);

    const finish = sampleGraph({ timestamp: '2026-11-01T12:02:00.000Z' });
    await store.write({ ...finish, context: { ...finish.context, settings: { operation: 'rollback', undo_of: stem } } });
    const stuckRollback = interruptedRun('2026-11-01T12:03:00.000Z');
    await store.write({ ...stuckRollback, context: { ...stuckRollback.context, settings: { operation: 'rollback', undo_of: 'other' } } });
    expect(await unfinishedRollbacks(store, 'writ')).toEqual([]);
  });
});
