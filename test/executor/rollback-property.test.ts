import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphExecutor, TestClock } from '../../src/executor/index.js';
import { immediate, promise, proxy } from '../../src/graph/index.js';
import { Recorder, flatGraph, memoryBackups, phasedGraph, type FailureMode, type NodeSpec } from './helpers.js';

/** A random DAG: node i may depend on any earlier node; some nodes fail before or after acting. */
const dagArbitrary = fc
  .integer({ min: 1, max: 14 })
  .chain((size) =>
    fc.record({
      after: fc.tuple(...Array.from({ length: size }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j), { maxLength: Math.min(3, i) }))),
      failures: fc.array(fc.record({ node: fc.nat({ max: size - 1 }), mode: fc.constantFrom<FailureMode>('before', 'after') }), { maxLength: 3 }),
      jobs: fc.integer({ min: 1, max: 4 }),
      delays: fc.array(fc.nat({ max: 3 }), { minLength: size, maxLength: size }),
    }),
  );

function specsOf(after: readonly (readonly number[])[]): NodeSpec[] {
  return after.map((deps, i) => ({ id: `n${i}`, after: deps.map((j) => `n${j}`) }));
}

async function runWithStarts(recorder: Recorder, graph: ReturnType<typeof flatGraph>, jobs: number) {
  const starts: string[] = [];
  const executor = new GraphExecutor(recorder.registry, {
    backups: memoryBackups,
    clock: new TestClock(),
    jobs,
    hooks: [{ onNodeStart: ({ node }) => void starts.push(node.id) }],
  });
  const report = await executor.run(graph);
  return { report, starts };
}

describe('rollback (property)', () => {
  it('undoes every applied effect exactly once, in reverse start order, for random DAGs', async () => {
    await fc.assert(
      fc.asyncProperty(dagArbitrary, async ({ after, failures, jobs, delays }) => {
        const recorder = new Recorder();
        // Nodes register undo after random delays, so registrations arrive out of start order.
        delays.forEach((turns, i) => recorder.delayOn(`n${i}`, turns));
        for (const failure of failures) recorder.failOn(`n${failure.node}`, failure.mode);
        const { report, starts } = await runWithStarts(recorder, flatGraph(specsOf(after)), jobs);
        if (failures.length === 0) {
          expect(report.state).toBe('executed');
          return;
        }
        expect(report.state).toBe('rolled_back');
        expect(recorder.applied.size).toBe(0);
        for (const key of recorder.appliedOrder) expect(recorder.undone.get(key)).toBe(1);
        const registered = new Set(recorder.appliedOrder);
        expect(recorder.entries('undo')).toEqual(starts.filter((id) => registered.has(id)).reverse());
      }),
      { numRuns: 150 },
    );
  });

  it('leaves nothing applied after a phased rollback, whatever phase fails and however often', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat({ max: 11 }),
        fc.integer({ min: 0, max: 4 }),
        async (phaseCount, perPhase, failing, failTimes) => {
          const recorder = new Recorder();
          const phases = Array.from({ length: phaseCount }, (_, p) => ({
            id: `p${p}`,
            nodes: Array.from({ length: perPhase }, (_, i) => ({ id: `p${p}n${i}`, after: i === 0 ? [] : [`p${p}n${i - 1}`] })),
            retry: { max_attempts: 3, backoff: 'exponential' as const, initial_delay: '10ms' },
          }));
          const target = `p${Math.floor(failing / 3) % phaseCount}n${failing % perPhase}`;
          recorder.failOn(target, 'after', failTimes);
          const { report } = await runWithStarts(recorder, phasedGraph(phases), 2);
          if (failTimes < 3) {
            expect(report.state).toBe('executed');
            expect(recorder.applied.size).toBe(phaseCount * perPhase);
          } else {
            expect(report.state).toBe('rolled_back');
            expect(recorder.applied.size).toBe(0);
          }
          const doCount = recorder.entries('do').length;
          expect(recorder.entries('undo').length).toBe(doCount - recorder.applied.size);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('leaves nothing applied after a gather item fails, for any item count, limit and failing item', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat({ max: 15 }),
        fc.constantFrom<FailureMode>('before', 'after'),
        fc.integer({ min: 1, max: 3 }),
        async (count, limit, failing, mode, jobs) => {
          const recorder = new Recorder();
          const items = Array.from({ length: count }, (_, i) => `i${i}`);
          const target = failing % (2 * count);
          recorder.failOn(`${target % 2 === 0 ? 'w1' : 'w2'}[i${Math.floor(target / 2)}]`, mode);
          const graph = phasedGraph([
            { id: 'main', nodes: [{ id: 'pre' }, { id: 'g', action: 'flow.gather', after: ['pre'], slots: { items: immediate(items), body: immediate('each'), limit: immediate(limit) } }] },
            { id: 'each', role: 'body', nodes: [{ id: 'w1', slots: { tag: proxy('g') } }, { id: 'w2', after: ['w1'], slots: { tag: proxy('g'), input: promise('w1') } }] },
          ]);
          const { report } = await runWithStarts(recorder, graph, jobs);
          expect(report.state).toBe('rolled_back');
          expect(recorder.applied.size).toBe(0);
          for (const key of recorder.appliedOrder) expect(recorder.undone.get(key)).toBe(1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
