import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGraph, sealGraph, type JsonValue, type Node } from '../../src/index.js';
import {
  applyArgs,
  cli,
  deploy,
  expectRejected,
  literally,
  snapshotBox,
  withHostileWrit,
  type HostileWrit,
} from './hostile-writ-helpers.js';

/*
 * Hostile receipts and state files (issue #8, item 1): receipts cut, corrupted or malformed in
 * the state dir, validly sealed receipts whose nodes point outside the target they recorded
 * (rollback and remove must refuse them), bad `--since`, and a lock or journal that is not one.
 * Every refusal: exit 2 or 4, one line naming the file, nothing changed on disk.
 */

const stemOf = (file: string) => path.basename(file, '.yaml');

/** Checks what each receipts command says of a damaged receipt, and that none changes the disk. */
async function expectReportedCorrupt(box: HostileWrit, receipt: string): Promise<void> {
  const stem = stemOf(receipt);
  const verified = await expectRejected(box, 'receipts', ['verify', '--all'], 4, new RegExp(`failed verification: ${stem}$`));
  expect(verified.stdout).toMatch(new RegExp(`^FAIL  ${stem}  `, 'm'));
  await expectRejected(box, 'receipts', ['show', stem], 4, literally(receipt));
  const before = await snapshotBox(box);
  const viewed = await cli(box, 'receipts', ['view']);
  expect(viewed.code).toBe(4);
  expect(viewed.stderr).toMatch(new RegExp(`^receipts: warning: skipped receipt ${stem}: `, 'm'));
  expect(viewed.stderr).not.toMatch(/^\s+at /m);
  expect(await snapshotBox(box)).toEqual(before);
}

describe.concurrent('a damaged receipt in the state dir', () => {
  it.each([
    ['cut in half', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['holding a value of the wrong type', (text: string) => text.replace('status: completed', 'status: completes')],
    ['with one byte changed', (text: string) => text.replace('.bashrc\n', '.bashrd\n')],
  ])('is reported by name by verify (exit 4), show (exit 4) and view (skipped, not silently) when %s', async (_what, damage) => {
    await withHostileWrit(async (box) => {
      const receipt = await deploy(box);
      await fs.writeFile(receipt, damage(await fs.readFile(receipt, 'utf8')));
      await expectReportedCorrupt(box, receipt);
    });
  });

  it('fails verify with exit 4 naming it wherever the receipt is cut or a byte changes', async () => {
    await withHostileWrit(async (box) => {
      const receipt = await deploy(box);
      const whole = await fs.readFile(receipt);
      const damage = fc.oneof(
        fc.integer({ min: 0, max: whole.length - 1 }).map((cut) => whole.subarray(0, cut)),
        fc.record({ at: fc.integer({ min: 0, max: whole.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }).map(({ at, xor }) => {
          const bytes = Buffer.from(whole);
          bytes[at] = (bytes[at] ?? 0) ^ xor;
          return bytes;
        }),
      );
      await fc.assert(
        fc.asyncProperty(damage, async (bytes) => {
          await fs.writeFile(receipt, bytes);
          await expectRejected(box, 'receipts', ['verify', '--all'], 4, new RegExp(`failed verification: ${stemOf(receipt)}$`));
        }),
        { numRuns: 3 },
      );
    });
  });

  it('stops writ rollback with exit 4 naming it', async () => {
    await withHostileWrit(async (box) => {
      const receipt = await deploy(box);
      await fs.writeFile(receipt, (await fs.readFile(receipt, 'utf8')).replace('.bashrc\n', '.bashrd\n'));
      await expectRejected(box, 'writ', ['rollback'], 4, literally(stemOf(receipt)));
    });
  });
});

/** The deployment receipt with its first node replaced by `change(node)`, sealed again (a valid checksum). */
async function forge(receipt: string, change: (node: Node) => Node): Promise<void> {
  const graph = parseGraph(await fs.readFile(receipt, 'utf8'));
  const [first, ...rest] = graph.nodes;
  if (first === undefined) throw new Error('the receipt has no nodes');
  const forged = { ...graph, nodes: [change(first), ...rest] };
  await fs.writeFile(receipt, sealGraph(forged, { basename: path.basename(receipt) }).bytes);
}

/** The digest of a file, as a receipt records it. */
async function digestOf(file: string): Promise<string> {
  return 'sha256:' + createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** `node` claiming it created `target` as a file of `digest`: undoing it would delete `target`. */
function claiming(node: Node, target: string, digest: string): Node {
  const undo = { kind: 'place', path: target, prior: { type: 'missing' }, backup: null, placed: { type: 'file', digest, mode: '0600' }, created_dirs: [] };
  return { ...node, slots: { ...node.slots, path: { kind: 'immediate', value: target } }, undo };
}

describe.concurrent('a validly sealed receipt whose nodes point outside its target', () => {
  it.each([
    ['a file outside the target', (box: HostileWrit) => box.sentinel],
    ['a path climbing out with ..', (box: HostileWrit) => `${box.home}/../outside/sentinel`],
  ])('is refused by writ rollback, rollback --force and remove (exit 4): %s', async (_what, target) => {
    await withHostileWrit(async (box) => {
      const receipt = await deploy(box);
      const digest = await digestOf(box.sentinel);
      await forge(receipt, (node) => claiming(node, target(box), digest));
      const message = new RegExp(`${literally(stemOf(receipt)).source}\\.yaml: node ".*" points outside what its run recorded: .*nothing was changed$`);
      await expectRejected(box, 'writ', ['rollback'], 4, message);
      await expectRejected(box, 'writ', ['rollback', '--force'], 4, message);
      await expectRejected(box, 'writ', ['remove', 'shell', '--force'], 4, message);
      expect(await fs.readFile(box.sentinel, 'utf8')).toBe('do not touch\n');
    });
  });

  it('is refused when a directory it says it created lies outside the target', async () => {
    await withHostileWrit(async (box) => {
      const receipt = await deploy(box);
      const outside = path.dirname(box.sentinel);
      await forge(receipt, (node) => ({ ...node, undo: { ...(node.undo as Record<string, JsonValue>), created_dirs: [outside] } }));
      await expectRejected(box, 'writ', ['rollback'], 4, new RegExp(`"${literally(outside).source}" is outside the target`));
    });
  });

  it('still rolls back an untouched receipt (the check refuses only what escapes)', async () => {
    await withHostileWrit(async (box) => {
      const before = await snapshotBox(box, { ignore: (name) => name === 'state' });
      await deploy(box);
      const result = await cli(box, 'writ', ['rollback']);
      expect(result.code, result.stderr).toBe(0);
      expect(await snapshotBox(box, { ignore: (name) => name === 'state' })).toEqual(before);
    });
  });
});

describe.concurrent('hostile receipts arguments and state files', () => {
  it.each([
    [['view', '--since', 'garbage'], /invalid --since "garbage"/],
    [['view', '--until', '2026-13-45'], /invalid --until "2026-13-45"/],
    [['view', '--since', '-5d'], /invalid --since "-5d"|option/],
    [['show', '../../outside/sentinel'], /no receipt sentinel\.yaml in /],
  ])('refuses receipts %j with exit 2', async (args, message) => {
    await withHostileWrit(async (box) => {
      await deploy(box);
      await expectRejected(box, 'receipts', args, 2, message);
    });
  });

  it('refuses to run under a lock file that is not a lock (exit 2, naming it), and dry runs still work', async () => {
    await withHostileWrit(async (box) => {
      await fs.mkdir(box.state, { recursive: true });
      const lock = path.join(box.state, 'lock');
      await fs.writeFile(lock, 'garbage\n{"pid": "x"}\n');
      await expectRejected(box, 'writ', applyArgs(box), 2, new RegExp(`${literally(lock).source}: the run lock is not a lock writ or lore wrote \\(not JSON\\)$`));
      await fs.writeFile(lock, '{"pid": -4}\n');
      await expectRejected(box, 'writ', applyArgs(box), 2, /the run lock is not a lock writ or lore wrote \(bad pid\)$/);
    });
  });

  it('refuses to recover from a journal that is garbage (exit 4, naming it), leaving it in place', async () => {
    await withHostileWrit(async (box) => {
      await deploy(box);
      const journal = path.join(box.state, 'receipts', 'writ-2026-01-01T00-00-00-000Z.journal');
      await fs.writeFile(journal, 'this is not a journal\n');
      await expectRejected(box, 'writ', ['recover'], 4, new RegExp(`${literally(journal).source}:1: not a journal`));
    });
  });
});
