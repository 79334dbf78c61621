import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealGraph, type Graph, type Node } from '../../src/graph/index.js';
import type { ReceiptCheck } from '../../src/receipts/index.js';
import {
  compactDigestSpec,
  eventCount,
  eventRecord,
  eventPath,
  receiptRowSpec,
  type CompactDigest,
} from '../../src/stateview/index.js';
import { scanCompactDigest, scanReceiptRow } from '../../src/stateview/scan.js';
import { graphArbitrary } from '../graph/codec-arbitraries.js';

const STEM = 'writ-2026-11-01T12-00-00-000Z';
const CHECK: ReceiptCheck = { fileName: `${STEM}.yaml`, checksum: 'ok', signature: { kind: 'valid', keyId: 'ed25519:0123456789abcdef' }, problems: [] };

function canonicalText(graph: Graph): string {
  return sealGraph(graph, { basename: `${STEM}.yaml` }).bytes.toString('utf8');
}

/** A compact digest as its row and records, independent of how its string table is laid out. */
function contents(digest: CompactDigest): unknown {
  const events = [];
  for (let event = 0; event < eventCount(digest); event += 1) events.push([eventPath(digest, event), eventRecord(digest, event)]);
  return { row: digest.row, events, packages: digest.packages };
}

function expectScanAgrees(graph: Graph): { row: boolean; digest: boolean } {
  const text = canonicalText(graph);
  const row = scanReceiptRow(text, STEM, CHECK);
  if (row !== undefined) {
    const expected = receiptRowSpec(STEM).derive(graph, CHECK);
    expect(row).toEqual(expected);
    expect(JSON.stringify(row)).toBe(JSON.stringify(expected));
  }
  const digest = scanCompactDigest(text, STEM, CHECK);
  if (digest !== undefined) expect(contents(digest)).toEqual(contents(compactDigestSpec(STEM).derive(graph, CHECK)));
  return { row: row !== undefined, digest: digest !== undefined };
}

function node(id: string, action: string, slots: Node['slots'], extra: Partial<Node> = {}): Node {
  return { id, action, status: 'completed', slots, ...extra };
}

const immediate = (value: unknown): Node['slots'][string] => ({ kind: 'immediate', value: value as never });

function receipt(nodes: Node[], root: string | undefined = '/home/kim'): Graph {
  return {
    version: '1', tool: 'writ', timestamp: '2026-11-01T12:00:00.000Z', state: 'executed',
    platform: { os: 'linux', arch: 'x64' }, context: root === undefined ? {} : { target_root: root }, nodes, edges: [],
  };
}

describe('scanCompactDigest and scanReceiptRow', () => {
  it('agree with digesting the parsed graph on a realistic writ receipt', () => {
    const graph = receipt([
      // The copy's content comes through a template from a secret defined after it.
      node('copy', 'file.copy', { path: immediate('.config/app/secret.conf'), content: { kind: 'promise', node: 'render' } }, {
        project: 'kim', layer: 'personal', target_digest: 'sha256:aa', undo: { kind: 'place', path: '/home/kim/x', list: [1, { a: 'b' }] },
      }),
      node('render', 'template.render', { template: immediate('/repo/t.tmpl'), content: { kind: 'promise', node: 'decrypt' } }),
      node('decrypt', 'secret.decrypt', { source: immediate('/repo/s.age') }),
      node('link', 'file.link', { path: immediate('/home/kim//.bashrc'), source: immediate('/repo/with space/"quoted" ü') }, {
        source_digest: 'sha256:bb', annotations: { 'writ.source': 'x' }, started_at: '2026-11-01T12:00:00.000Z',
      }),
      node('skipped', 'file.link', { path: immediate('/home/kim/skipped') }, { status: 'skipped' }),
      node('failed', 'file.write', { path: immediate('/home/kim/../kim/w'), content: { kind: 'promise', node: 'plain' } }, { status: 'failed', error: 'disk full' }),
      node('plain', 'template.render', { template: immediate('/repo/p.tmpl') }),
      node('dir', 'file.mkdir', { path: immediate('/home/kim/.config/'), mode: immediate(493) }, { status: 'compensated' }),
      node('shell', 'shell.run', { path: immediate('rel/ative'), command: immediate(['echo', 'hi']) }),
      node('numeric', 'file.link', { path: immediate(42), source: immediate(null) }),
      node('listed', 'file.link', { path: immediate(['a', 'b']), source: immediate({ nested: 'map' }) }),
      node('gathered', 'file.copy', { path: immediate('/home/kim/g'), content: { kind: 'proxy', gather: 'all' } }),
      node('no-path', 'file.link', { source: immediate('/repo/x') }),
    ]);
    expect(expectScanAgrees(graph)).toEqual({ row: true, digest: true });
    const digest = scanCompactDigest(canonicalText(graph), STEM, CHECK);
    const secret = [];
    for (let event = 0; digest !== undefined && event < eventCount(digest); event += 1) {
      if (eventRecord(digest, event).isSecret) secret.push(eventPath(digest, event));
    }
    expect(secret).toEqual(['/home/kim/.config/app/secret.conf']);
  });

  it('leave relative paths out without a target root, and read an empty receipt', () => {
    expect(expectScanAgrees(receipt([node('a', 'file.link', { path: immediate('rel') })], undefined))).toEqual({ row: true, digest: true });
    expect(expectScanAgrees(receipt([]))).toEqual({ row: true, digest: true });
  });

  it('give the digest of a receipt with packages up to the full parser, but still read its row', () => {
    const graph = { ...receipt([node('apt', 'pkg.install', { packages: immediate(['jq']), manager: immediate('apt') })]), tool: 'lore' as const };
    expect(expectScanAgrees(graph)).toEqual({ row: true, digest: false });
  });

  it('give replayed undos (the run they undid is an annotation) and lore receipts (packages in the context) to the full parser', () => {
    const undo = node('undo.1.a', 'receipt.undo', { action: immediate('file.link'), undo: immediate({ path: '/home/kim/.x' }), path: immediate('/home/kim/.x') }, {
      annotations: { 'writ.undo_of': STEM },
    });
    expect(expectScanAgrees(receipt([undo]))).toEqual({ row: true, digest: false });
    expect(expectScanAgrees(receipt([{ ...undo, status: 'skipped' }]))).toEqual({ row: true, digest: false });
    const lore = { ...receipt([node('a', 'file.link', { path: immediate('/p/bin/a') })], undefined), tool: 'lore' as const, context: { packages: ['a@1.0.0'] } };
    expect(expectScanAgrees(lore)).toEqual({ row: true, digest: false });
    expect(compactDigestSpec(STEM).derive(lore, CHECK).packages).toEqual([{ name: 'a', action: 'install', status: 'completed', version: '1.0.0' }]);
  });

  it('agree with digesting the parsed graph, or give up, on any graph the schema allows', () => {
    let scanned = 0;
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        const { checksum: _checksum, signature: _signature, ...content } = graph;
        if (expectScanAgrees(content).digest) scanned += 1;
      }),
      { numRuns: 300 },
    );
    expect(scanned).toBeGreaterThan(0);
  });
});
