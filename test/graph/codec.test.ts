import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { canonicalContent, graphToJson, parseGraph, writeGraphYaml } from '../../src/graph/codec/index.js';
import type { Graph, JsonValue } from '../../src/graph/types.js';
import { buildPlanGraph } from '../../bench/lib/plan-graph.js';
import { pendingGraph } from '../helpers/graph.js';
import { graphArbitrary, jsonValue, reverseKeyOrder } from './codec-arbitraries.js';

function graphWith(slots: Graph['nodes'][number]['slots'], extra: Partial<Graph> = {}): Graph {
  const nodes: Graph['nodes'] = [{ id: 'a', action: 'file.copy', status: 'pending', slots }];
  return { ...pendingGraph(nodes), timestamp: '2026-11-25T00:00:00.000Z', ...extra };
}

describe('writeGraphYaml', () => {
  it('writes keys in schema order, slots sorted, strings quoted only when YAML would misread them', () => {
    const graph = graphWith({
      path: { kind: 'immediate', value: '/home/kim/.bashrc' },
      mode: { kind: 'immediate', value: '0644' },
      content: { kind: 'promise', node: 'render', slot: 'bytes' },
    });
    expect(writeGraphYaml(graph)).toBe(
      [
        'version: "1"',
        'tool: writ',
        'timestamp: "2026-11-25T00:00:00.000Z"',
        'state: pending',
        'platform:',
        '  os: linux',
        '  arch: x64',
        'context: {}',
        'nodes:',
        '  - id: a',
        '    action: file.copy',
        '    status: pending',
        '    slots:',
        '      content:',
        '        node_ref: render',
        '        slot: bytes',
        '      mode:',
        '        immediate: "0644"',
        '      path:',
        '        immediate: /home/kim/.bashrc',
        'edges: []',
        '',
      ].join('\n'),
    );
  });

  it.each<[string, JsonValue]>([
    ['an empty string', ''],
    ['zero', 0],
    ['negative zero', -0],
    ['false', false],
    ['null', null],
    ['an empty list', []],
    ['an empty map', {}],
    ['a mode', '0600'],
    ['a version-like string', '1.0'],
    ['a bool-like string', 'true'],
  ])('keeps %s as an immediate through a round trip', (_name, value) => {
    const graph = graphWith({ value: { kind: 'immediate', value } });
    expect(parseGraph(writeGraphYaml(graph))).toEqual(graph);
    expect(parseGraph(graphToJson(graph))).toEqual(graph);
  });

  it('round-trips any graph losslessly through YAML', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        expect(parseGraph(writeGraphYaml(graph))).toEqual(graph);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any graph losslessly through JSON', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        expect(parseGraph(graphToJson(graph))).toEqual(graph);
      }),
      { numRuns: 100 },
    );
  });

  it('writes YAML that the yaml package reads as exactly the JSON output', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        expect(parseYaml(writeGraphYaml(graph))).toEqual(JSON.parse(graphToJson(graph)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same bytes whatever order object keys were inserted in', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        expect(writeGraphYaml(reverseKeyOrder(graph))).toBe(writeGraphYaml(graph));
        expect(graphToJson(reverseKeyOrder(graph))).toBe(graphToJson(graph));
      }),
      { numRuns: 100 },
    );
  });

  it('is a fixed point: writing what was read gives the same bytes', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        const text = writeGraphYaml(graph);
        expect(writeGraphYaml(parseGraph(text))).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it('never writes anchors, aliases or tags for shared objects', () => {
    const shared = { user: 'kim' };
    const graph = graphWith({ a: { kind: 'immediate', value: shared }, b: { kind: 'immediate', value: shared } });
    expect(writeGraphYaml(graph)).not.toMatch(/[&*!]/);
  });

  it('writes keys longer than YAML allows for implicit keys in explicit form', () => {
    const key = 'k'.repeat(2000);
    const graph = graphWith({ [key]: { kind: 'immediate', value: { [key]: [1, { [key]: 'v' }] } } });
    expect(parseGraph(writeGraphYaml(graph))).toEqual(graph);
  });

  it('refuses numbers JSON cannot hold', () => {
    const graph = graphWith({ value: { kind: 'immediate', value: Number.NaN } });
    expect(() => writeGraphYaml(graph)).toThrow(/NaN/);
  });
});

describe('graphToJson', () => {
  it('writes 2-space JSON in the canonical key order', () => {
    const graph = graphWith({ path: { kind: 'immediate', value: '/x' } });
    const text = graphToJson(graph);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['version', 'tool', 'timestamp', 'state', 'platform', 'context', 'nodes', 'edges']);
  });
});

describe('canonicalContent', () => {
  it('is the canonical YAML without checksum and signature, and covers summary and rollback', () => {
    const base = graphWith({}, {
      summary: { total: 1, by_status: { pending: 1 }, by_action: {} },
      rollback: [{ phase: 'p', status: 'completed', timestamp: '2026-11-25T00:00:01.000Z' }],
    });
    const signed: Graph = { ...base, checksum: 'sha256:00', signature: { method: 'ed25519', key_id: 'ed25519:00', value: 'AA==' } };
    expect(canonicalContent(signed)).toBe(writeGraphYaml(base));
    expect(canonicalContent(signed)).toContain('rollback:');
    expect(canonicalContent(signed)).toContain('summary:');
  });

  it('is equal for two JSON immediates exactly when they are deeply equal', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        const left = canonicalContent(graphWith({ v: { kind: 'immediate', value: a } }));
        const right = canonicalContent(graphWith({ v: { kind: 'immediate', value: b } }));
        // Equality of JSON values: a null-prototype object and `{}` are the same JSON.
        expect(left === right).toBe(isDeepStrictEqual(asPlainJson(a), asPlainJson(b)));
      }),
      { numRuns: 200 },
    );
  });
});

function asPlainJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asPlainJson);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, asPlainJson(entry)]));
}

describe('large graphs', () => {
  it('round-trips a 100k-node plan', () => {
    const graph = buildPlanGraph(100_000);
    const text = writeGraphYaml(graph);
    expect(parseGraph(text)).toEqual(graph);
  });
});
