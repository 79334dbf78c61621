import { isMap, isScalar, isSeq, newLineCounter, parseDocument } from '../../graph/codec/lazy-yaml.js';
import type { LineCounter, Node as YamlNode, Pair } from 'yaml';
import { WritLoreError, didYouMean } from '../../graph/index.js';
import type { JsonValue } from '../../graph/index.js';


/** A top-level key of a small YAML settings file, with the line it is on. */
export interface YamlField {
  readonly key: string;
  readonly value: YamlNode | null;
  readonly line: number;
}

/** Reads YAML settings strictly: a mapping at the top, known keys only, positions for errors. */
export class YamlFields {
  readonly path: string;
  readonly fields: readonly YamlField[];
  readonly #lines: LineCounter;

  /** Parses `text` (from `path`); unknown keys and YAML errors throw with the line. */
  constructor(text: string, path: string, known: readonly string[]) {
    this.path = path;
    this.#lines = newLineCounter();
    const doc = parseDocument(text, { lineCounter: this.#lines, uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first !== undefined) {
      const line = this.#lines.linePos(first.pos[0]).line;
      throw new WritLoreError('invalid-input', first.message.split('\n')[0] ?? 'invalid YAML', {
        path,
        ...(line === undefined ? {} : { line }),
      });
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) {
      this.fields = [];
      return;
    }
    if (!isMap(contents)) throw this.error(contents, 'the file must be a mapping of settings');
    this.fields = contents.items.map((pair) => this.#field(pair, known));
  }

  /** An `invalid-input` error at `node`'s line. */
  error(node: YamlNode | Pair | null | undefined, message: string, hint?: string): WritLoreError {
    const line = this.lineOf(node);
    return new WritLoreError('invalid-input', message, {
      path: this.path,
      ...(line === undefined ? {} : { line }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  /** The 1-based line of `node`. */
  lineOf(node: YamlNode | Pair | null | undefined): number | undefined {
    const range = node !== null && node !== undefined && 'range' in node ? node.range : undefined;
    return range === undefined || range === null ? undefined : this.#lines.linePos(range[0]).line;
  }

  /** A list of non-empty strings (`projects:`, `copy:`, `ignore:`). */
  stringList(field: YamlField): string[] {
    return this.stringItems(field).map((item) => item.value);
  }

  /** A list of project names (`projects:`): no dots (those start suffixes), no slashes. */
  projectList(field: YamlField): string[] {
    return this.stringItems(field).map((item) => {
      if (/[./\\]/.test(item.value)) {
        throw new WritLoreError('invalid-input', `project "${item.value}" is not a project name`, {
          path: this.path,
          line: item.line,
          hint: 'a project name has no dots or slashes; suffixes belong to directory names',
        });
      }
      return item.value;
    });
  }

  /** A list of non-empty strings, each with its line. */
  stringItems(field: YamlField): { value: string; line: number }[] {
    if (!isSeq(field.value)) throw this.error(field.value, `"${field.key}" must be a list of strings`);
    return field.value.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string' || item.value === '') {
        throw this.error(item as YamlNode, `every entry of "${field.key}" must be a non-empty string`);
      }
      return { value: item.value, line: this.lineOf(item) ?? field.line };
    });
  }

  /** A mapping of string keys to nodes (`layers:`, `variables:`), in the order written. */
  mapping(field: YamlField): { key: string; value: YamlNode | null; line: number | undefined }[] {
    if (!isMap(field.value)) throw this.error(field.value, `"${field.key}" must be a mapping`);
    return field.value.items.map((pair) => {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
        throw this.error(pair.key as YamlNode, `keys of "${field.key}" must be strings`);
      }
      return { key: pair.key.value, value: pair.value as YamlNode | null, line: this.lineOf(pair.key) };
    });
  }

  /** A `variables:` mapping: names to plain JSON values. */
  variables(field: YamlField): Record<string, JsonValue> {
    const json = this.json(field.value, field.key);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw this.error(field.value, `"${field.key}" must be a mapping`);
    }
    return json as Record<string, JsonValue>;
  }

  /** A node as plain JSON (no tags producing bytes or dates). */
  json(node: YamlNode | null, where: string): JsonValue {
    if (node === null) return null;
    if (isScalar(node)) {
      const value = node.value;
      if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw this.error(node, `${where} is not a plain value (string, number, boolean, null)`);
    }
    if (isSeq(node)) return node.items.map((item, index) => this.json(item as YamlNode | null, `${where}[${index}]`));
    if (isMap(node)) {
      const record: Record<string, JsonValue> = {};
      for (const entry of this.mapping({ key: where, value: node, line: 0 })) {
        Object.defineProperty(record, entry.key, {
          value: this.json(entry.value, `${where}.${entry.key}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return record;
    }
    throw this.error(node, `${where} uses an alias, which settings files do not support`);
  }

  #field(pair: Pair, known: readonly string[]): YamlField {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== 'string') throw this.error(key as YamlNode, 'setting names must be strings');
    if (!known.includes(key.value)) {
      throw this.error(key, `unknown key "${key.value}"${didYouMean(key.value, known)}`, `known keys: ${known.join(', ')}`);
    }
    return { key: key.value, value: pair.value as YamlNode | null, line: this.lineOf(key) ?? 1 };
  }
}

