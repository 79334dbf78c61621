import * as os from 'node:os';
import { WritLoreError } from '../graph/index.js';

/** Facts about the machine a run happens on, offered to templates as `host`. */
export interface HostFacts {
  readonly hostname: string;
  /** The login name of the user running writ-lore. */
  readonly user: string;
  readonly home: string;
  /** Node's platform name: `linux`, `darwin`, `win32`, `freebsd`, … */
  readonly os: string;
  /** Node's architecture name: `x64`, `arm64`, … */
  readonly arch: string;
}

/** An environment: variable names to values. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Overrides for {@link collectHostFacts}; each defaults to what Node reports. */
export interface HostFactOptions {
  /** Read for `HOME`, `USER` and `LOGNAME`. Default `process.env`. */
  readonly env?: Environment;
}

/** Reads the host's facts (hostname, user, home, os, arch). */
export function collectHostFacts(options: HostFactOptions = {}): HostFacts {
  const env = options.env ?? process.env;
  return {
    hostname: os.hostname(),
    user: currentUser(env),
    home: env.HOME ?? os.homedir(),
    os: process.platform,
    arch: process.arch,
  };
}

function currentUser(env: Environment): string {
  try {
    return os.userInfo().username;
  } catch (error) {
    // userInfo throws when the uid has no passwd entry (common in containers); the
    // environment is the next best witness, and "unknown" beats failing a whole run.
    const fallback = env.USER ?? env.LOGNAME;
    if (fallback !== undefined) return fallback;
    if (error instanceof Error) return 'unknown';
    throw error;
  }
}

/** What a template sees: variables, segments and host facts. */
export interface TemplateData {
  /** The run's variables with the node's own `variables` slot laid over them. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Segment name → value, e.g. `{ OS: 'Linux', DISTRO: 'Debian' }`. */
  readonly segments: Readonly<Record<string, string>>;
  readonly host: HostFacts;
}

/**
 * Builds template data from run data (`ctx.data`: `variables`, `segments`, `host`) and a
 * node's own variables, which win. Host facts are collected when the run gives none.
 */
export function templateDataFrom(
  data: Readonly<Record<string, unknown>>,
  nodeVariables: Readonly<Record<string, unknown>> = {},
): TemplateData {
  const variables = objectField(data, 'variables');
  const segments = objectField(data, 'segments');
  for (const [name, value] of Object.entries(segments)) {
    if (typeof value !== 'string') {
      throw new WritLoreError('invalid-input', `segment ${name} must be a string, got ${typeof value}`);
    }
  }
  const host = data.host === undefined ? collectHostFacts({ env: runEnvironment(data) }) : hostField(data.host);
  return {
    variables: { ...variables, ...nodeVariables },
    segments: segments as Readonly<Record<string, string>>,
    host,
  };
}

/**
 * The environment actions should use: run data's `env` when the run injects one (tests, a
 * sandbox), else `process.env`.
 */
export function runEnvironment(data: Readonly<Record<string, unknown>>): Environment {
  const env = data.env;
  if (env === undefined) return process.env;
  if (!isPlainObject(env) || Object.values(env).some((v) => v !== undefined && typeof v !== 'string')) {
    throw new WritLoreError('invalid-input', 'run data "env" must map names to strings');
  }
  return env as Environment;
}

function objectField(data: Readonly<Record<string, unknown>>, name: string): Readonly<Record<string, unknown>> {
  const value = data[name];
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new WritLoreError('invalid-input', `run data "${name}" must be an object, got ${describe(value)}`);
  }
  return value;
}

function hostField(value: unknown): HostFacts {
  const keys = ['hostname', 'user', 'home', 'os', 'arch'] as const;
  if (!isPlainObject(value) || keys.some((key) => typeof value[key] !== 'string')) {
    throw new WritLoreError('invalid-input', `run data "host" must have string fields ${keys.join(', ')}`);
  }
  return value as unknown as HostFacts;
}

/** True for `{…}` objects (not arrays, Buffers or null). */
function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
