import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../src/graph/codec/index.js';
import { WritLoreError } from '../../src/graph/errors.js';

const VALID = [
  'version: "1"', // 1
  'tool: writ', // 2
  'timestamp: "2026-11-25T00:00:00.000Z"', // 3
  'state: pending', // 4
  'platform:', // 5
  '  os: linux', // 6
  '  arch: x64', // 7
  'context: {}', // 8
  'nodes:', // 9
  '  - id: a', // 10
  '    action: file.link', // 11
  '    status: pending', // 12
  '    slots:', // 13
  '      path:', // 14
  '        immediate: /x', // 15
  'edges: []', // 16
  '',
].join('\n');

const VALID_JSON = `{
  "version": "1",
  "tool": "writ",
  "timestamp": "2026-11-25T00:00:00.000Z",
  "state": "pending",
  "platform": { "os": "linux", "arch": "x64" },
  "context": {},
  "nodes": [],
  "edges": [
    { "from": "a", "to": "b", "kind": "data" }
  ]
}
`;

function parseError(text: string): WritLoreError {
  try {
    parseGraph(text, { path: 'plan.yaml' });
  } catch (error) {
    if (error instanceof WritLoreError) return error;
    throw error;
  }
  throw new Error('expected parseGraph to fail');
}

describe('parseGraph', () => {
  it('reads a valid YAML and JSON document', () => {
    expect(parseGraph(VALID).nodes[0]?.slots).toEqual({ path: { kind: 'immediate', value: '/x' } });
    expect(parseGraph(VALID_JSON).edges).toEqual([{ from: 'a', to: 'b', kind: 'data' }]);
  });

  it.each<[string, string, string, number]>([
    ['an unknown top-level key', VALID.replace('nodes:', 'nodez:'), 'unknown key "nodez" in graph (did you mean "nodes"?)', 9],
    ['an unknown node key', VALID.replace('status: pending', 'statsu: pending'), 'unknown key "statsu" in node nodes[0] (did you mean "status"?)', 12],
    ['an unknown key with no near miss', VALID.replace('  arch: x64', '  arch: x64\n  zzzzzz: 1'), 'unknown key "zzzzzz" in platform platform', 8],
    ['a wrong enum value', VALID.replace('status: pending', 'status: done'), 'wrong type for nodes[0].status: expected one of pending, running, completed, skipped, failed, compensated, got "done"', 12],
    ['a version other than "1"', VALID.replace('version: "1"', 'version: "2"'), 'unsupported graph version "2" (this build reads version "1")', 1],
    ['a number where a string belongs', VALID.replace('version: "1"', 'version: 1'), 'wrong type for version: expected a string, got 1', 1],
    ['a map where a list belongs', VALID.replace('edges: []', 'edges: {}'), 'wrong type for edges: expected a list, got a map', 16],
    ['a missing required key', VALID.replace('    action: file.link\n', ''), 'missing required key "action" in node nodes[0]', 10],
    ['a slot with two kinds', VALID.replace('immediate: /x', 'immediate: /x\n        node_ref: b'), 'slot nodes[0].slots.path must have exactly one of immediate, node_ref, gather_ref (found immediate and node_ref)', 15],
    ['a slot with no kind', VALID.replace('immediate: /x', 'slot: s'), 'slot nodes[0].slots.path must have exactly one of immediate, node_ref, gather_ref (found none)', 15],
    ['a slot with a stray key', VALID.replace('immediate: /x', 'immediate: /x\n        field: f'), '"field" in slot nodes[0].slots.path only goes with gather_ref', 16],
    ['an unknown slot key', VALID.replace('immediate: /x', 'imediate: /x'), 'unknown key "imediate" in slot nodes[0].slots.path (did you mean "immediate"?)', 15],
    ['a null optional field', VALID.replace('    status: pending', '    status: pending\n    error: null'), 'wrong type for nodes[0].error: expected a string, got null', 13],
    ['a non-string annotation', VALID.replace('    status: pending', '    status: pending\n    annotations:\n      why: 3'), 'wrong type for nodes[0].annotations.why: expected a string, got 3', 14],
    ['a duplicate key', `${VALID}tool: lore\n`, 'Map keys must be unique', 17],
    ['an anchor', VALID.replace('  os: linux', '  os: &o linux'), 'anchors are not allowed in a graph (&o)', 6],
    ['an alias', VALID.replace('  arch: x64', '  arch: *o'), 'alias', 7],
    ['a tag', VALID.replace('state: pending', 'state: !!str pending'), 'tags are not allowed in a graph (tag:yaml.org,2002:str)', 4],
    ['a second document', `${VALID}---\nversion: "1"\n`, 'multiple documents', 17],
    ['a tab', VALID.replace('  os: linux', '\tos: linux'), 'tab character', 6],
    ['a carriage return', VALID.replace('tool: writ\n', 'tool: writ\r\n'), 'carriage return', 2],
    ['trailing whitespace', VALID.replace('state: pending', 'state: pending '), 'trailing whitespace', 4],
    ['a numeric map key', VALID.replace('    status: pending', '    status: pending\n    annotations:\n      1: x'), 'map keys must be strings', 14],
    ['a __proto__ key', VALID.replace('context: {}', 'context:\n  variables:\n    __proto__: 1'), 'the key "__proto__" is not allowed', 10],
    ['a bad duration', VALID.replace('edges: []', 'edges: []\nphases:\n  - id: p\n    name: p\n    status: pending\n    retry:\n      max_attempts: 2\n      backoff: linear\n      initial_delay: soon\n    nodes: [a]'), 'wrong type for phases[0].retry.initial_delay: expected a duration such as 500ms or 1m30s, got "soon"', 24],
    ['an unknown JSON key', VALID_JSON.replace('"kind": "data"', '"kind": "data", "knd": 1'), 'unknown key "knd" in edge edges[0] (did you mean "kind"?)', 10],
    ['a wrong JSON enum value', VALID_JSON.replace('"kind": "data"', '"kind": "dta"'), 'wrong type for edges[0].kind: expected one of data, order, got "dta"', 10],
    ['malformed JSON', VALID_JSON.replace('"tool": "writ",', '"tool": "writ"'), 'not a valid graph document', 4],
    ['an empty document', '', 'empty document', 1],
    ['a list at the top', '- a\n', 'wrong type for graph: expected a map, got a list', 1],
  ])('rejects %s with its line', (_name, text, message, line) => {
    const error = parseError(text);
    expect(error.code).toBe('invalid-input');
    expect(error.message).toContain(message);
    expect(error.path).toBe('plan.yaml');
    expect(error.line).toBe(line);
  });
});
