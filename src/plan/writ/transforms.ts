import { WritLoreError } from '../../graph/index.js';
import type { WritTransform } from './types.js';

/** What a source file's name says about it: its target name and the transform it needs. */
export interface NamedTransform {
  /** The file name with `.age`, `.tmpl` and `.template` removed. */
  readonly targetName: string;
  /** `link` here means "no suffix": `copy:` globs may still turn it into a copy. */
  readonly transform: Exclude<WritTransform, 'copy'>;
}

const RENDER_SUFFIXES = ['.tmpl', '.template'] as const;
const DECRYPT_SUFFIX = '.age';
const SUFFIX_HINT = /\.(age|tmpl|template)(\.|$)/;

/**
 * Reads the transform from a file name. Suffixes are applied from the outside in: the last one
 * first. So `config.tmpl.age` is decrypted, then rendered; `config.age.tmpl` (render an
 * encrypted file) is an error. A name that is only a suffix (`.age`) is a plain file.
 */
export function transformOf(fileName: string, path: string): NamedTransform {
  // Most files carry no suffix of ours: answer them without the suffix checks.
  if (!SUFFIX_HINT.test(fileName)) return { targetName: fileName, transform: 'link' };
  const decrypt = stripSuffix(fileName, DECRYPT_SUFFIX);
  const inner = decrypt ?? fileName;
  const render = RENDER_SUFFIXES.map((suffix) => stripSuffix(inner, suffix)).find((name) => name !== undefined);
  const targetName = render ?? inner;
  checkLeftover(targetName, path);
  if (decrypt !== undefined && render !== undefined) return { targetName, transform: 'decrypt-render' };
  if (decrypt !== undefined) return { targetName, transform: 'decrypt' };
  if (render !== undefined) return { targetName, transform: 'render' };
  return { targetName, transform: 'link' };
}

/** `name` without `suffix`, or undefined when it does not end with it (or is only it). */
function stripSuffix(name: string, suffix: string): string | undefined {
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : undefined;
}

/** Refuses names whose transforms cannot be applied in order (`x.age.tmpl`, `x.age.age`). */
function checkLeftover(targetName: string, path: string): void {
  const stacked = [DECRYPT_SUFFIX, ...RENDER_SUFFIXES].find(
    (suffix) => targetName.endsWith(suffix) && targetName.length > suffix.length,
  );
  if (stacked === undefined) return;
  throw new WritLoreError('invalid-input', `cannot tell how to deploy ${path}: "${stacked}" is not the outermost suffix that applies`, {
    path,
    hint: 'suffixes apply from the end inwards; write name.tmpl.age for "decrypt, then render", and use each suffix once',
  });
}
