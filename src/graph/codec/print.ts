/**
 * The JSON printer for an ordered {@link Tree}: 2-space JSON like `JSON.stringify(v, null, 2)`
 * but in the tree's key order (a `Map` keeps integer-like keys where they were inserted).
 */
import { pad } from './byte-writer.js';
import { formatNumber, quoteString } from './scalar.js';
import type { Tree } from './tree.js';

function isMap(value: Tree): value is ReadonlyMap<string, Tree> {
  return value instanceof Map;
}

function jsonValue(value: Tree, indent: number, out: string[]): void {
  if (value === null) out.push('null');
  else if (typeof value === 'string') out.push(quoteString(value));
  else if (typeof value === 'number') out.push(formatNumber(value));
  else if (typeof value === 'boolean') out.push(value ? 'true' : 'false');
  else if (isMap(value)) jsonObject(value, indent, out);
  else jsonArray(value as readonly Tree[], indent, out);
}

function jsonObject(map: ReadonlyMap<string, Tree>, indent: number, out: string[]): void {
  if (map.size === 0) {
    out.push('{}');
    return;
  }
  const inner = pad(indent + 2);
  let first = true;
  out.push('{');
  for (const [key, value] of map) {
    out.push(`${first ? '' : ','}\n${inner}${quoteString(key)}: `);
    first = false;
    jsonValue(value, indent + 2, out);
  }
  out.push(`\n${pad(indent)}}`);
}

function jsonArray(items: readonly Tree[], indent: number, out: string[]): void {
  if (items.length === 0) {
    out.push('[]');
    return;
  }
  const inner = pad(indent + 2);
  out.push('[');
  items.forEach((item, index) => {
    out.push(`${index === 0 ? '' : ','}\n${inner}`);
    jsonValue(item, indent + 2, out);
  });
  out.push(`\n${pad(indent)}]`);
}

/** 2-space JSON in the tree's key order, ending with a newline. */
export function printJson(tree: Tree): string {
  const out: string[] = [];
  jsonValue(tree, 0, out);
  out.push('\n');
  return out.join('');
}
