import { WritLoreError } from '../../graph/index.js';
import { closestName } from '../../graph/index.js';

/** Where an interpolated string comes from, for error messages. */
export interface InterpolationSite {
  readonly file: string;
  readonly line: number;
  /** What the string is, e.g. `step "link" target`. */
  readonly what: string;
}

const REFERENCE = /\$\$|\$\{([^}]*)\}|\$\{/g;

/**
 * Replaces every `${name}` in `text` with `variables[name]` in one pass: a substituted value is
 * never scanned again, so a setting holding `${prefix}` stays literal. `$$` is a literal `$`.
 * An unknown name or an unclosed `${` is an `invalid-input` error naming the file and line.
 *
 * @example
 * interpolate('${prefix}/bin/${name}', { prefix: '/home/kim/.local', name: 'rg' }, site);
 */
export function interpolate(text: string, variables: Readonly<Record<string, string>>, site: InterpolationSite): string {
  return text.replace(REFERENCE, (match: string, name: string | undefined) => {
    if (match === '$$') return '$';
    if (name === undefined) throw fail(site, `${site.what} has an unclosed "\${" in ${JSON.stringify(text)}`);
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value !== undefined) return value;
    const guess = closestName(name, Object.keys(variables));
    const didYouMean = guess === undefined ? '' : ` (did you mean "\${${guess}}"?)`;
    throw fail(site, `${site.what} uses unknown variable "\${${name}}"${didYouMean}`, Object.keys(variables));
  });
}

function fail(site: InterpolationSite, message: string, known?: readonly string[]): WritLoreError {
  const hint = known === undefined ? 'write "$$" for a literal "$"' : `known variables: ${[...known].sort().join(', ')}`;
  return new WritLoreError('invalid-input', message, { path: site.file, line: site.line, hint });
}
