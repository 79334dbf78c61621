import type { Graph } from '../types.js';
import { emitYamlBytes, emitYamlChunks, emitYamlTo } from './emit-yaml.js';
import { printJson } from './print.js';
import { GRAPH_SCHEMA } from './schema.js';
import { graphToTree } from './tree.js';

/**
 * The canonical YAML of a graph: keys in the schema's order (see `schema.ts`), nodes in graph
 * order, free-form maps and slots sorted by key, no anchors, strings quoted whenever YAML could
 * read them as anything but themselves. The same graph always gives the same bytes.
 */
export function writeGraphYaml(graph: Graph): string {
  return emitYamlBytes(GRAPH_SCHEMA, graph).toString('utf8');
}

/** The graph as 2-space JSON, in the same key order as {@link writeGraphYaml}. */
export function graphToJson(graph: Graph): string {
  return printJson(graphToTree(graph));
}

/**
 * What the checksum covers (DESIGN.md §3): the canonical YAML without `checksum` and
 * `signature`. Everything else, summary and rollback included, is covered.
 */
export function canonicalContent(graph: Graph): string {
  return Buffer.from(canonicalBytes(graph)).toString('utf8');
}

/** {@link canonicalContent} as UTF-8 bytes (what the checksum hashes), without a string copy. */
export function canonicalBytes(graph: Graph): Uint8Array {
  const { checksum: _checksum, signature: _signature, ...content } = graph;
  return emitYamlBytes(GRAPH_SCHEMA, content);
}

/**
 * {@link canonicalBytes} as chunks to be concatenated: a large graph's content is never copied
 * into one buffer (hash the chunks in turn, write them with one `writev`).
 */
export function canonicalChunks(graph: Graph): Buffer[] {
  const { checksum: _checksum, signature: _signature, ...content } = graph;
  return emitYamlChunks(GRAPH_SCHEMA, content);
}

/**
 * {@link canonicalBytes} handed to `sink` a chunk at a time, each to be used before the sink
 * returns: a receipt of any size is written with one chunk of memory.
 */
export function writeCanonicalTo(graph: Graph, sink: (chunk: Buffer) => void): void {
  const { checksum: _checksum, signature: _signature, ...content } = graph;
  emitYamlTo(GRAPH_SCHEMA, content, sink);
}

/**
 * The canonical YAML of the seal alone. `checksum` and `signature` are the last keys in
 * canonical order, so a sealed document is its canonical content (as {@link canonicalBytes}
 * gives it) followed by these lines: sealing needs one emission, not two.
 */
export function sealYaml(seal: Pick<Graph, 'checksum' | 'signature'>): Buffer {
  return emitYamlBytes(GRAPH_SCHEMA, seal);
}
