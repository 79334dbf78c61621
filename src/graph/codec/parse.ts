import { WritLoreError } from '../errors.js';
import type { Graph } from '../types.js';
import { decodeGraph } from './decode.js';
import type { DataPath, Fail } from './decode.js';
import { readCanonicalYaml } from './fast-read.js';
import { graphToJson, writeGraphYaml } from './write.js';
import { locationDetails, readYamlDocument } from './yaml-read.js';
import type { LocatedDocument, Target } from './yaml-read.js';

/** Options of {@link parseGraph}. */
export interface ParseGraphOptions {
  /** The file the text came from, named in error messages. */
  readonly path?: string;
  /**
   * The caller has proven the text is exactly what the canonical writer produced (its bytes
   * hash to its own checksum), so the check that a sealed graph is canonical, which re-emits
   * the whole graph, is skipped. Default false.
   */
  readonly isKnownCanonical?: boolean;
}

/**
 * Whitespace the canonical writer never produces and YAML would silently ignore. Rejecting it
 * means no single-byte edit of a saved graph can be invisible to the reader.
 */
const STRAY_WHITESPACE: readonly (readonly [RegExp, string])[] = [
  [/\r/, 'carriage return: graph documents use LF line endings'],
  [/\t/, 'tab character: graph documents are indented with spaces and escape tabs in strings'],
  [/ (?:\n|$)/, 'trailing whitespace at the end of a line'],
];

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

function checkWhitespace(text: string, path: string | undefined): void {
  for (const [pattern, message] of STRAY_WHITESPACE) {
    const match = pattern.exec(text);
    if (match !== null) throw new WritLoreError('invalid-input', message, locationDetails(path, lineAt(text, match.index)));
  }
}

function failAt(path: string | undefined, locate: (at: DataPath, target: Target) => number | undefined): Fail {
  return (at, target, message) => {
    throw new WritLoreError('invalid-input', message, locationDetails(path, locate(at, target)));
  };
}

function firstDifferentLine(text: string, expected: string): number {
  let line = 1;
  for (let index = 0; index < text.length && text[index] === expected[index]; index += 1) {
    if (text.charCodeAt(index) === 10) line += 1;
  }
  return line;
}

/**
 * A sealed graph (one with a checksum or signature) must be byte-identical to its canonical
 * rendering: it is written once and never edited, so any change at all is an error rather
 * than something YAML's flexible syntax could absorb (`Null` for `null`, `1e021` for `1e+21`).
 */
function checkSealedIsCanonical(graph: Graph, text: string, path: string | undefined): void {
  if (graph.checksum === undefined && graph.signature === undefined) return;
  const canonical = text.trimStart().startsWith('{') ? graphToJson(graph) : writeGraphYaml(graph);
  if (canonical === text) return;
  throw new WritLoreError('invalid-input', 'a sealed graph (with a checksum) is not in canonical form: it was edited', {
    ...locationDetails(path, firstDifferentLine(text, canonical)),
    hint: 'sealed plans and receipts must not be edited by hand; re-create the file instead',
  });
}

/**
 * Reads a graph from YAML or JSON text, strictly: unknown keys, wrong types, bad enum values,
 * malformed slots, duplicate keys, anchors, aliases, tags, several documents, stray whitespace
 * a version other than "1", and a sealed graph not in canonical form are `invalid-input` errors
 * naming the file and line.
 * Canonical YAML takes a fast path; anything else goes through the `yaml` package.
 */
export function parseGraph(text: string, options: ParseGraphOptions = {}): Graph {
  const { path } = options;
  checkWhitespace(text, path);
  const graph = decode(text, path);
  if (options.isKnownCanonical !== true) checkSealedIsCanonical(graph, text, path);
  return graph;
}

function decode(text: string, path: string | undefined): Graph {
  const fast = readCanonicalYaml(text);
  if (fast !== undefined) {
    // Locating an error needs node positions: re-read with the full parser, only on failure.
    let document: LocatedDocument | undefined;
    return decodeGraph(fast.value, failAt(path, (at, target) => {
      document ??= readYamlDocument(text, path);
      return document.locate(at, target);
    }));
  }
  const document = readYamlDocument(text, path);
  return decodeGraph(document.value, failAt(path, document.locate));
}
