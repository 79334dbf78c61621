/**
 * The full reader: any YAML 1.2 (or JSON) document through the `yaml` package, converted to
 * plain data by a strict walk that rejects what a graph never contains (anchors, aliases,
 * tags, non-string keys, several documents) and knows the line of every node.
 */
import type { Document, LineCounter, Node as YamlNode, Pair } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, newLineCounter, parseDocument } from './lazy-yaml.js';
import { WritLoreError } from '../errors.js';

/** Where an error about a decoded value points: at the value, or at its key in the parent map. */
export type Target = 'key' | 'value';

/** A parsed document: its plain data and a way to find the line of any path in it. */
export interface LocatedDocument {
  readonly value: unknown;
  /** 1-based line of the node at `path` (or of its key), or of its nearest existing ancestor. */
  locate(path: readonly (string | number)[], target: Target): number | undefined;
}

type Fail = (node: YamlNode | Pair | null, message: string) => never;

function mapToValue(node: YamlNode & { items: Pair[] }, fail: Fail): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const pair of node.items) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== 'string') {
      fail(isScalar(key) ? key : node, 'map keys must be strings (quote the key)');
    }
    if (key.value === '__proto__') fail(key, 'the key "__proto__" is not allowed');
    checkProperties(key, fail);
    record[key.value] = nodeToValue(pair.value as YamlNode | null, fail);
  }
  return record;
}

function checkProperties(node: YamlNode, fail: Fail): void {
  if (node.anchor !== undefined) fail(node, `anchors are not allowed in a graph (&${node.anchor})`);
  if (node.tag !== undefined) fail(node, `tags are not allowed in a graph (${node.tag})`);
}

function nodeToValue(node: YamlNode | null, fail: Fail): unknown {
  if (node === null) return null;
  if (isAlias(node)) fail(node, `aliases are not allowed in a graph (*${node.source})`);
  checkProperties(node, fail);
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === 'number' && !Number.isFinite(value)) fail(node, `${String(value)} is not a JSON number`);
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
    return fail(node, `unsupported scalar ${String(value)}`);
  }
  if (isMap(node)) return mapToValue(node, fail);
  if (isSeq(node)) return node.items.map((item) => nodeToValue(item as YamlNode | null, fail));
  return fail(node, 'unsupported YAML node');
}

function lineOf(lineCounter: LineCounter, node: YamlNode | Pair | null): number | undefined {
  const range = node !== null && 'range' in node ? node.range : undefined;
  return range === undefined || range === null ? undefined : lineCounter.linePos(range[0]).line;
}

function childOf(node: unknown, segment: string | number): { pair?: Pair; node: unknown } | undefined {
  if (typeof segment === 'number') return isSeq(node) ? { node: node.items[segment] } : undefined;
  if (!isMap(node)) return undefined;
  const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
  return pair === undefined ? undefined : { pair, node: pair.value };
}

function locateIn(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[], target: Target): number | undefined {
  let node: unknown = doc.contents;
  let line = lineOf(lineCounter, doc.contents);
  for (const [index, segment] of path.entries()) {
    const child = childOf(node, segment);
    if (child === undefined) return line;
    const isLast = index === path.length - 1;
    const keyNode = child.pair?.key as YamlNode | undefined;
    if (isLast && target === 'key' && keyNode !== undefined) return lineOf(lineCounter, keyNode) ?? line;
    node = child.node;
    line = lineOf(lineCounter, (child.node ?? keyNode ?? null) as YamlNode | null) ?? line;
  }
  return line;
}

function located(path: string | undefined, line: number | undefined): { path?: string; line?: number } {
  return { ...(path === undefined ? {} : { path }), ...(line === undefined ? {} : { line }) };
}

/** Parses one YAML (or JSON) document strictly; syntax errors carry their line. */
export function readYamlDocument(text: string, path?: string): LocatedDocument {
  const lineCounter = newLineCounter();
  const doc = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: true, merge: false, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    const message = problem.message.split('\n')[0] ?? problem.message;
    throw new WritLoreError('invalid-input', `not a valid graph document: ${message}`, located(path, line));
  }
  const fail: Fail = (node, message) => {
    throw new WritLoreError('invalid-input', message, located(path, lineOf(lineCounter, node)));
  };
  if (doc.contents === null) {
    throw new WritLoreError('invalid-input', 'empty document: expected a graph', located(path, 1));
  }
  const value = nodeToValue(doc.contents, fail);
  return { value, locate: (at, target) => locateIn(doc, lineCounter, at, target) };
}

/** `{ path?, line? }` without undefined members (for `exactOptionalPropertyTypes`). */
export { located as locationDetails };
