import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { immediate, parseGraph, sealGraph, type Graph, type Node } from '../../src/index.js';
import { ROOT } from '../e2e/writ-helpers.js';
import {
  cli,
  expectOneLineError,
  expectRejected,
  literally,
  savePlan,
  snapshotBox,
  withHostileWrit,
  type HostileWrit,
} from './hostile-writ-helpers.js';

/*
 * Hostile saved plans fed to `writ apply --plan` (issue #8, item 1): cut, corrupted, mistyped,
 * and validly checksummed plans whose nodes reach outside the target they recorded. Every one
 * is refused with exit 2 or 4 and one line naming the file, and nothing changes on disk.
 */

/** Rewrites a saved plan through `edit` and seals it again, as an attacker with the file could. */
async function reseal(file: string, edit: (graph: Graph) => Graph): Promise<void> {
  const graph = edit(parseGraph(await fs.readFile(file, 'utf8')));
  await fs.writeFile(file, sealGraph(graph, { basename: path.basename(file) }).bytes);
}

/** The plan with its first node's `path` slot (and nothing else) replaced. */
function firstNodeAt(graph: Graph, change: (node: Node) => Node): Graph {
  const [first, ...rest] = graph.nodes;
  if (first === undefined) throw new Error('the plan has no nodes');
  return { ...graph, nodes: [change(first), ...rest] };
}

const withPath = (target: string) => (node: Node): Node => ({ ...node, slots: { ...node.slots, path: immediate(target) } });

async function applyPlanRejected(box: HostileWrit, file: string, code: number, message: RegExp): Promise<void> {
  await expectRejected(box, 'writ', ['apply', '--plan', file], code, message);
}

/** Writes `bytes` as the plan and checks `apply --plan` refuses it (exit 2 or 4, naming it), changing nothing. */
async function refusesPlanBytes(box: HostileWrit, file: string, bytes: Uint8Array): Promise<void> {
  await fs.writeFile(file, bytes);
  const before = await snapshotBox(box);
  const result = await cli(box, 'writ', ['apply', '--plan', file]);
  expectOneLineError(result, 'writ', result.code === 4 ? 4 : 2, literally(file));
  expect(await snapshotBox(box)).toEqual(before);
}

describe.concurrent('writ apply --plan with a broken plan file', () => {
  it('refuses the plan cut at any byte with exit 2 or 4, naming the file', async () => {
    await withHostileWrit(async (box) => {
      const file = await savePlan(box);
      const whole = await fs.readFile(file);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 1 }), async (cut) => {
          await refusesPlanBytes(box, file, whole.subarray(0, cut));
        }),
        { numRuns: 3 },
      );
    });
  });

  it('refuses the plan with any one byte changed with exit 2 or 4, naming the file', async () => {
    await withHostileWrit(async (box) => {
      const file = await savePlan(box);
      const whole = await fs.readFile(file);
      const change = fc.record({ at: fc.integer({ min: 0, max: whole.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) });
      await fc.assert(
        fc.asyncProperty(change, async ({ at, xor }) => {
          const bytes = Buffer.from(whole);
          bytes[at] = (bytes[at] ?? 0) ^ xor;
          await refusesPlanBytes(box, file, bytes);
        }),
        { numRuns: 3 },
      );
    });
  });

  it('refuses a one-letter change in a target path as a checksum failure (exit 4)', async () => {
    await withHostileWrit(async (box) => {
      const file = await savePlan(box);
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('.bashrc\n', '.bashrd\n'));
      await applyPlanRejected(box, file, 4, /checksum/);
    });
  });

  it.each([
    ['malformed YAML', (text: string) => text.replace('edges: []', 'edges: [\n'), /plan\.yaml:\d+: /],
    ['a wrong type', (text: string) => text.replace('edges: []', 'edges: 5'), /plan\.yaml:\d+: .*edges/],
    ['nodes of the wrong type', (text: string) => text.replace(/^nodes:\n(.|\n)*?^edges/m, 'nodes: yes\nedges'), /plan\.yaml:\d+: .*nodes/],
    ['an unknown key', (text: string) => text.replace('edges: []', 'edgez: []'), /plan\.yaml:\d+: .*edgez/],
    ['an empty file', () => '', /plan\.yaml/],
  ])('refuses %s with exit 2 and file:line', async (_what, edit, message) => {
    await withHostileWrit(async (box) => {
      const file = await savePlan(box);
      await fs.writeFile(file, edit(await fs.readFile(file, 'utf8')));
      await applyPlanRejected(box, file, 2, message);
    });
  });

  it('refuses a plan file that does not exist or is a directory (exit 2)', async () => {
    await withHostileWrit(async (box) => {
      await applyPlanRejected(box, path.join(box.dir, 'nope.yaml'), 2, /cannot read the plan .*nope\.yaml$/);
      await applyPlanRejected(box, box.home, 2, literally(box.home));
    });
  });
});

describe.concurrent('writ apply --plan with a validly sealed plan reaching outside its target', () => {
  it.each([
    ['a path with ..', (box: HostileWrit) => withPath(`${box.home}/../outside/sentinel`), /is not a normalised path/],
    ['a relative path', () => withPath('.bashrc'), /"\.bashrc" is not an absolute path/],
    ['a path outside the target', (box: HostileWrit) => withPath(box.sentinel), /is outside the target/],
    ['the target root itself', (box: HostileWrit) => withPath(box.home), /is outside the target/],
    ['a source outside the layers', (box: HostileWrit) => (node: Node) => ({ ...node, slots: { ...node.slots, source: immediate(box.sentinel) } }), /source ".*sentinel" is outside the run's layers/],
  ])('refuses %s with exit 4 and changes nothing', async (_what, change, message) => {
    await withHostileWrit(async (box) => {
      const file = await savePlan(box);
      await reseal(file, (graph) => firstNodeAt(graph, change(box)));
      await applyPlanRejected(box, file, 4, message);
      expect(await fs.readFile(box.sentinel, 'utf8')).toBe('do not touch\n');
    });
  });

  it('refuses a plan whose recorded target was moved to / (the nodes stay outside it)', async () => {
    await withHostileWrit(async (box) => {
      const file = await savePlan(box);
      await reseal(file, (graph) => ({ ...graph, context: { ...graph.context, target_root: path.join(box.dir, 'outside') } }));
      await applyPlanRejected(box, file, 4, /is outside the target/);
    });
  });

  it("refuses lore's plan (exit 2): it is not a writ plan", async () => {
    await withHostileWrit(async (box) => {
      const file = path.join(box.dir, 'lore-plan.yaml');
      const registry = path.join(ROOT, 'fixtures/registry');
      const saved = await cli(box, 'lore', ['install', 'greet', '--registry', registry, '--prefix', path.join(box.dir, 'prefix'), '--dry-run', '--out', file]);
      // Only the saved file matters here (whatever the dry run's exit code).
      expect(await fs.readFile(file, 'utf8'), saved.stderr).toMatch(/^tool: lore$/m);
      await applyPlanRejected(box, file, 2, /is not a writ plan \(tool lore, state pending\)$/);
    });
  });
});
