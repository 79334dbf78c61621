import { isAlias, isMap, isScalar, isSeq, newLineCounter, parseDocument } from '../../graph/codec/lazy-yaml.js';
import type { LineCounter, Node as YamlNode, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { WritLoreError } from '../../graph/index.js';
import { closestName } from '../../graph/index.js';


/** A YAML node of a manifest or index, or null for an empty value. */
export type YamlValue = YamlNode | null;

/** One key of a mapping with its value and line. */
export interface YamlEntry {
  readonly key: string;
  readonly value: YamlValue;
  readonly line: number;
}

/**
 * A parsed YAML document that knows the line of every node, so every complaint about its
 * content names `file:line`. Anchors, aliases, tags and non-string keys are rejected.
 */
export class YamlSource {
  readonly path: string;
  readonly root: YamlValue;
  readonly #lines: LineCounter;

  constructor(text: string, path: string) {
    this.path = path;
    this.#lines = newLineCounter();
    const doc = parseDocument(text, { lineCounter: this.#lines, uniqueKeys: true, prettyErrors: false });
    const problem = doc.errors[0];
    if (problem !== undefined) {
      const line = this.#lines.linePos(problem.pos[0]).line;
      const reason = problem.message.split('\n')[0] ?? problem.message;
      throw new WritLoreError('invalid-input', `not valid YAML: ${reason}`, { path, line });
    }
    this.root = (doc.contents ?? null) as YamlValue;
  }

  /** The 1-based line of `node` (1 for an empty value). */
  lineOf(node: YamlValue | Pair, fallback = 1): number {
    const range = node !== null && 'range' in node ? node.range : undefined;
    return range === undefined || range === null ? fallback : this.#lines.linePos(range[0]).line;
  }

  /** Throws `invalid-input` located at `line`. */
  fail(line: number, message: string, hint?: string): never {
    throw new WritLoreError('invalid-input', message, { path: this.path, line, ...(hint === undefined ? {} : { hint }) });
  }

  /** `node` as a mapping; `what` names it in messages. */
  map(node: YamlValue, what: string, line: number): YAMLMap {
    this.#plain(node);
    if (!isMap(node)) return this.fail(this.lineOf(node, line), `${what} must be a mapping, got ${describe(node)}`);
    return node;
  }

  /** `node` as a sequence. */
  seq(node: YamlValue, what: string, line: number): YAMLSeq {
    this.#plain(node);
    if (!isSeq(node)) return this.fail(this.lineOf(node, line), `${what} must be a list, got ${describe(node)}`);
    return node;
  }

  /** The entries of a mapping, rejecting keys outside `known` (with a did-you-mean). */
  entries(map: YAMLMap, known: readonly string[] | 'any', what: string): YamlEntry[] {
    return map.items.map((pair) => {
      const key = pair.key as YamlValue;
      const line = this.lineOf(key ?? pair);
      if (!isScalar(key) || typeof key.value !== 'string') return this.fail(line, `${what}: keys must be strings`);
      this.#plain(key);
      if (known !== 'any' && !known.includes(key.value)) {
        const guess = closestName(key.value, known);
        const didYouMean = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
        this.fail(line, `${what}: unknown key "${key.value}"${didYouMean}`, `allowed keys: ${known.join(', ')}`);
      }
      return { key: key.value, value: pair.value as YamlValue, line };
    });
  }

  /** The entries of `node` (a mapping) by key, checking `known` and `required` keys. */
  fields(node: YamlValue, what: string, line: number, keys: FieldKeys): Map<string, YamlEntry> {
    const map = this.map(node, what, line);
    const all = [...keys.required, ...(keys.optional ?? [])];
    const found = new Map(this.entries(map, all, what).map((entry) => [entry.key, entry]));
    for (const key of keys.required) {
      // Point at the key that holds the mapping (`line`), where a reader looks for it.
      if (!found.has(key)) this.fail(line, `${what}: missing required key "${key}"`);
    }
    return found;
  }

  /** A scalar of type `type`. */
  scalar<T extends ScalarType>(node: YamlValue, type: T, what: string, line: number): ScalarOf<T> {
    this.#plain(node);
    const value: unknown = isScalar(node) ? (node as Scalar).value : undefined;
    if (typeof value !== type) {
      const hint = type === 'string' && isScalar(node) ? 'quote the value to make it a string' : undefined;
      return this.fail(this.lineOf(node, line), `${what} must be a ${type}, got ${describe(node)}`, hint);
    }
    return value as ScalarOf<T>;
  }

  /** A string, number or boolean scalar. */
  primitive(node: YamlValue, what: string, line: number): string | number | boolean {
    this.#plain(node);
    const value: unknown = isScalar(node) ? (node as Scalar).value : undefined;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    return this.fail(this.lineOf(node, line), `${what} must be a string, number or boolean, got ${describe(node)}`);
  }

  /** A list of strings. */
  strings(node: YamlValue, what: string, line: number): string[] {
    return this.seq(node, what, line).items.map((item, index) =>
      this.scalar(item as YamlValue, 'string', `${what}[${index}]`, line),
    );
  }

  /** A string, or a list of strings (returned as a list). */
  stringOrList(node: YamlValue, what: string, line: number): string[] {
    return isSeq(node) ? this.strings(node, what, line) : [this.scalar(node, 'string', what, line)];
  }

  #plain(node: YamlValue): void {
    if (node === null) return;
    const line = this.lineOf(node);
    if (isAlias(node)) this.fail(line, `aliases are not allowed (*${node.source})`);
    if (node.anchor !== undefined) this.fail(line, `anchors are not allowed (&${node.anchor})`);
    if (node.tag !== undefined) this.fail(line, `tags are not allowed (${node.tag})`);
  }
}

/** Required and optional keys of a mapping. */
export interface FieldKeys {
  readonly required: readonly string[];
  readonly optional?: readonly string[];
}

/** Scalar types a manifest holds. */
export type ScalarType = 'string' | 'number' | 'boolean';
/** The TypeScript type of a {@link ScalarType}. */
export type ScalarOf<T extends ScalarType> = T extends 'string' ? string : T extends 'number' ? number : boolean;

function describe(node: YamlValue): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value: unknown = node.value;
    return value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`;
  }
  return 'an unsupported value';
}
