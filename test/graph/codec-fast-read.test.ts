import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { writeGraphYaml } from '../../src/graph/codec/index.js';
import { readCanonicalYaml } from '../../src/graph/codec/fast-read.js';
import { isPlainKey, isPlainSafe } from '../../src/graph/codec/scalar.js';
import { graphArbitrary, nastyString } from './codec-arbitraries.js';

describe('readCanonicalYaml', () => {
  it('reads every canonical document (but explicit long keys), to exactly what the yaml package reads', () => {
    fc.assert(
      fc.property(graphArbitrary, (graph) => {
        const text = writeGraphYaml(graph);
        const fast = readCanonicalYaml(text);
        // Keys over 1000 characters are written in explicit `? key` form, left to the full parser.
        const hasExplicitKey = /^ *(?:- )*\? /m.test(text);
        expect(fast === undefined).toBe(hasExplicitKey);
        if (fast !== undefined) expect(fast.value).toEqual(parseYaml(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a flow mapping', '{"version": "1"}\n'],
    ['a comment', 'version: "1" # one\n'],
    ['an anchor', 'a: &x 1\nb: *x\n'],
    ['a single-quoted scalar', "a: 'x'\n"],
    ['a block scalar', 'a: |\n  text\n'],
    ['a folded plain scalar', 'a:\n  b\n  c\n'],
    ['indentation by four', 'a:\n    b: 1\n'],
    ['a document marker', '---\na: 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a YAML 1.1 boolean', 'a: yes\n'],
    ['a hex number', 'a: 0x1F\n'],
    ['an explicit key', '? a\n: 1\n'],
    ['a __proto__ key', '__proto__: 1\n'],
    ['an escape JSON lacks', 'a: "\\x41"\n'],
    ['an empty value', 'a:\nb: 1\n'],
  ])('gives up on %s (the full parser decides)', (_name, text) => {
    expect(readCanonicalYaml(text)).toBeUndefined();
  });
});

describe('isPlainSafe', () => {
  it('calls a string plain only if the yaml package reads it back as that string, as value and key', () => {
    fc.assert(
      fc.property(fc.oneof(nastyString, fc.stringMatching(/^[A-Za-z0-9_/.~@+\-:=,#?&*! ]{1,8}$/)), (text) => {
        if (isPlainSafe(text)) expect(parseYaml(`a: ${text}\n`)).toEqual({ a: text });
        if (isPlainSafe(text)) expect(parseYaml(`- ${text}\n`)).toEqual([text]);
        if (isPlainKey(text)) expect(parseYaml(`${text}: 1\n`)).toEqual({ [text]: 1 });
      }),
      { numRuns: 2000 },
    );
  });
});
