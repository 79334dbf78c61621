import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeGraphYaml } from '../../src/graph/codec/index.js';
import { MAX_IMPLICIT_KEY, formatKey, formatNumber, formatString } from '../../src/graph/codec/scalar.js';
import { graphToTree, type Tree } from '../../src/graph/codec/tree.js';
import { buildPlanGraph } from '../../bench/lib/plan-graph.js';
import { graphArbitrary } from './codec-arbitraries.js';

/**
 * A deliberately plain printer of the canonical YAML subset, from the ordered tree the JSON
 * writer uses: one string per line, no caches. The fast emitter must write exactly these
 * bytes: canonical bytes are a graph's identity (its checksum), so they may never drift.
 */
function referenceYaml(tree: Tree): string {
  const lines: string[] = [];
  let line = '';
  const end = (): void => {
    lines.push(line);
    line = '';
  };
  const inline = (value: Tree): string | undefined => {
    if (value === null) return 'null';
    if (typeof value === 'string') return formatString(value);
    if (typeof value === 'number') return formatNumber(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value instanceof Map) return value.size === 0 ? '{}' : undefined;
    return (value as readonly Tree[]).length === 0 ? '[]' : undefined;
  };
  const block = (value: Tree, indent: number, onLine: boolean): void => {
    let first = onLine;
    const entries: [string | undefined, Tree][] =
      value instanceof Map ? [...value] : (value as readonly Tree[]).map((item) => [undefined, item]);
    for (const [key, item] of entries) {
      if (!first) line = ' '.repeat(indent);
      first = false;
      if (key === undefined) line += '- ';
      else {
        const text = formatKey(key);
        if (text.length > MAX_IMPLICIT_KEY) {
          line += `? ${text}`;
          end();
          line = `${' '.repeat(indent)}:`;
        } else line += `${text}:`;
      }
      const text = inline(item);
      if (text !== undefined) {
        line += key === undefined ? text : ` ${text}`;
        end();
      } else if (key === undefined) block(item, indent + 2, true);
      else {
        end();
        block(item, indent + 2, false);
      }
    }
  };
  block(tree, 0, false);
  return `${lines.join('\n')}\n`;
}

describe('canonical YAML against a plain reference printer', () => {
  it('is byte for byte what the reference printer writes, for any graph', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        expect(writeGraphYaml(graph)).toBe(referenceYaml(graphToTree(graph)));
      }),
      { numRuns: 300 },
    );
  });

  it('is byte for byte what the reference printer writes, for a large plan (several byte chunks)', () => {
    const graph = buildPlanGraph(3000);
    const text = writeGraphYaml(graph);
    expect(Buffer.byteLength(text)).toBeGreaterThan(1 << 16);
    expect(text).toBe(referenceYaml(graphToTree(graph)));
  });

  it('writes explicit keys, nested lists and empty collections as the reference does', () => {
    const key = 'k'.repeat(MAX_IMPLICIT_KEY + 1);
    const value = { [key]: [[1, [], {}], { [key]: 'v', a: [{ b: null }] }], e: {}, l: [] };
    const graph = { ...buildPlanGraph(1), nodes: buildPlanGraph(1).nodes.map((node) => ({ ...node, slots: { x: { kind: 'immediate' as const, value } } })) };
    expect(writeGraphYaml(graph)).toBe(referenceYaml(graphToTree(graph)));
  });
});
