import type { HelperDelegate, HelperOptions } from 'handlebars';
import { WritLoreError } from '../../graph/index.js';
import type { Environment, HostFacts } from '../host-facts.js';

/** What helpers read besides their arguments; passed as Handlebars private data `@writLore`. */
export interface HelperScope {
  readonly env: Environment;
  readonly host: HostFacts;
  readonly segments: Readonly<Record<string, string>>;
}

/** The `@writLore` key under which {@link HelperScope} travels in Handlebars' data frame. */
export const SCOPE_KEY = 'writLore';

/** Friendly OS names mapped to Node's platform names. */
const OS_ALIASES: Readonly<Record<string, string>> = { windows: 'win32', macos: 'darwin' };

/** OS names that `{{#if (os "unix")}}` matches. */
const UNIX_PLATFORMS: ReadonlySet<string> = new Set(['linux', 'darwin', 'freebsd', 'openbsd', 'sunos', 'aix']);

/**
 * The helpers every template may use: `eq`, `ne`, `and`, `or`, `not`, `os "linux"` (Node's
 * platform names, case-insensitive, plus `unix`, `macos`, `windows`),
 * `segment "OS" "Linux"`, `hasSegment "GPU"`, `env "NAME" "default"`.
 */
export const TEMPLATE_HELPERS = {
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  and: (...args: unknown[]) => params(args).every(Boolean),
  or: (...args: unknown[]) => params(args).some(Boolean),
  not: (value: unknown) => !value,
  os: (...args: unknown[]) => {
    const [name] = stringParams('os', args, 1, 1);
    const platform = scopeOf(args).host.os.toLowerCase();
    const wanted = OS_ALIASES[name.toLowerCase()] ?? name.toLowerCase();
    return wanted === platform || (wanted === 'unix' && UNIX_PLATFORMS.has(platform));
  },
  segment: (...args: unknown[]) => {
    const [name, value = ''] = stringParams('segment', args, 2, 2);
    return scopeOf(args).segments[name]?.toLowerCase() === value.toLowerCase();
  },
  hasSegment: (...args: unknown[]) => {
    const [name] = stringParams('hasSegment', args, 1, 1);
    const value = scopeOf(args).segments[name];
    return value !== undefined && value !== '';
  },
  env: (...args: unknown[]) => {
    const [name, fallback] = stringParams('env', args, 1, 2);
    const value = scopeOf(args).env[name];
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback;
    throw new WritLoreError('action-failed', `environment variable ${name} is not set and no default was given`, {
      hint: `write {{env "${name}" "fallback"}} to give a default`,
    });
  },
} as const satisfies Record<string, HelperDelegate>;

/** The positional arguments of a helper call (Handlebars appends its options object last). */
function params(args: readonly unknown[]): readonly unknown[] {
  return args.slice(0, -1);
}

/** The helper's arguments, checked to be `min`..`max` strings; the first is always there. */
function stringParams(
  helper: string,
  args: readonly unknown[],
  min: number,
  max: number,
): readonly [string, ...(string | undefined)[]] {
  const given = params(args);
  const [first] = given;
  if (given.length < min || given.length > max || typeof first !== 'string' || given.some((v) => typeof v !== 'string')) {
    const count = min === max ? `${min}` : `${min} or ${max}`;
    throw new WritLoreError('action-failed', `helper "${helper}" takes ${count} string arguments, got ${given.length}`);
  }
  return [first, ...(given.slice(1) as string[])];
}

function scopeOf(args: readonly unknown[]): HelperScope {
  const options = args[args.length - 1] as HelperOptions | undefined;
  const data: unknown = options?.data;
  const scope =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[SCOPE_KEY] : undefined;
  if (scope === undefined) {
    throw new WritLoreError('internal', 'template helper called without writ-lore scope data');
  }
  return scope as HelperScope;
}
