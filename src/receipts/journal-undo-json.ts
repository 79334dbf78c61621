import type { JsonValue } from '../graph/index.js';

type JsonObject = Readonly<Record<string, JsonValue>>;

const PLACE_KEYS = ['kind', 'path', 'prior', 'backup', 'placed', 'created_dirs'] as const;
const MISSING_KEYS = ['type'] as const;
const SYMLINK_KEYS = ['type', 'link_target'] as const;

/**
 * The JSON text of an undo state for the journal: exactly `JSON.stringify(undo)`. The state
 * nearly every step of a dotfiles run registers (a link put on a free path: `place`, prior
 * `missing`, no backup) is assembled from its strings, which costs about half of stringifying
 * the nested object; any other state, or one with a key more or in another order, is
 * stringified as usual.
 */
export function undoStateJson(undo: JsonValue): string {
  return freeLinkJson(undo) ?? JSON.stringify(undo);
}

function freeLinkJson(undo: JsonValue): string | undefined {
  const link = freeLinkOf(undo);
  if (link === undefined) return undefined;
  const created = dirsJson(link.created_dirs);
  return `{"kind":"place","path":${JSON.stringify(link.path)},"prior":{"type":"missing"},"backup":null,"placed":{"type":"symlink","link_target":${JSON.stringify(link.link_target)}},"created_dirs":${created}}`;
}

/** The action whose free-path undo state {@link FreeLink} describes. */
export const FREE_LINK_ACTION = 'file.link';

/**
 * The undo state of a symlink placed on a free path (what `file.link` registers there), by its
 * variable parts: `undo` is exactly {@link freeLinkUndo} of them.
 */
export interface FreeLink {
  readonly path: string;
  readonly link_target: string;
  readonly created_dirs: readonly string[];
}

/** The parts of a free-link undo state, or undefined for any other state (or another key order). */
export function freeLinkOf(undo: JsonValue): FreeLink | undefined {
  if (!isObject(undo) || undo['kind'] !== 'place' || undo['backup'] !== null) return undefined;
  const { path, prior, placed, created_dirs: dirs } = undo;
  if (typeof path !== 'string' || !Array.isArray(dirs) || !isObject(prior) || !isObject(placed)) return undefined;
  const target = placed['link_target'];
  if (prior['type'] !== 'missing' || placed['type'] !== 'symlink' || typeof target !== 'string') return undefined;
  if (!hasKeys(undo, PLACE_KEYS) || !hasKeys(prior, MISSING_KEYS) || !hasKeys(placed, SYMLINK_KEYS)) return undefined;
  for (const dir of dirs) if (typeof dir !== 'string') return undefined;
  return { path, link_target: target, created_dirs: dirs as readonly string[] };
}

/** The undo state {@link freeLinkOf} takes apart, keys in the order `file.link` writes them. */
export function freeLinkUndo(link: FreeLink): JsonValue {
  return {
    kind: 'place',
    path: link.path,
    prior: { type: 'missing' },
    backup: null,
    placed: { type: 'symlink', link_target: link.link_target },
    created_dirs: [...link.created_dirs],
  };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `object`'s own enumerable keys are exactly `keys`, in that order. */
function hasKeys(object: JsonObject, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in object) {
    if (key !== keys[index] || !Object.hasOwn(object, key)) return false;
    index += 1;
  }
  return index === keys.length;
}

/** A list of directory paths as JSON. */
function dirsJson(dirs: readonly string[]): string {
  if (dirs.length === 0) return '[]';
  let json = '[';
  for (let index = 0; index < dirs.length; index += 1) {
    json += index === 0 ? JSON.stringify(dirs[index]) : `,${JSON.stringify(dirs[index])}`;
  }
  return `${json}]`;
}
