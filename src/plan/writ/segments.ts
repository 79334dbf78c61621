import { readFileSync } from 'node:fs';
import { WritLoreError } from '../../graph/index.js';
import type { Segments } from './types.js';

/** Node's `process.platform` → the `OS` segment. */
const OS_NAMES: Readonly<Record<string, string>> = {
  linux: 'Linux',
  darwin: 'Darwin',
  win32: 'Windows',
  freebsd: 'FreeBSD',
  openbsd: 'OpenBSD',
};

/** Node's `process.arch` → the `ARCH` segment. */
const ARCH_NAMES: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

/** `/etc/os-release` `ID` values whose capitalisation is not just a first capital letter. */
const DISTRO_NAMES: Readonly<Record<string, string>> = {
  centos: 'CentOS',
  rhel: 'RHEL',
  opensuse: 'OpenSUSE',
  'opensuse-leap': 'OpenSUSE',
  'opensuse-tumbleweed': 'OpenSUSE',
  nixos: 'NixOS',
};

/** Operating systems whose `FAMILY` segment is `Unix`. */
const UNIX_SYSTEMS: ReadonlySet<string> = new Set(['Linux', 'Darwin', 'FreeBSD', 'OpenBSD']);

/** Prefix of environment variables that override segments (`WRIT_SEGMENT_DISTRO=Ubuntu`). */
export const SEGMENT_ENV_PREFIX = 'WRIT_SEGMENT_';

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
const VALUE_PATTERN = /^[A-Za-z0-9_+-]*$/;

/** Options of {@link detectSegments}; every one defaults to this machine. */
export interface SegmentOptions {
  /** Default `process.platform`. */
  readonly platform?: string;
  /** Default `process.arch`. */
  readonly arch?: string;
  /** Returns the text of `/etc/os-release`, or undefined when there is none. */
  readonly readOsRelease?: () => string | undefined;
  /** Scanned for `WRIT_SEGMENT_<NAME>` overrides. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `-s NAME=VALUE` flags: override or add segments; they win over the environment. */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * This machine's segments: `OS`, `DISTRO` (Linux only, from `/etc/os-release` `ID`), `ARCH`,
 * and `FAMILY` (`Unix` for Linux, Darwin and the BSDs). Precedence: `overrides` (flags) >
 * `WRIT_SEGMENT_<NAME>` > detected. `FAMILY` follows an overridden `OS` unless it is itself
 * overridden. An empty value removes the segment (nothing matches an empty value).
 */
export function detectSegments(options: SegmentOptions = {}): Segments {
  const platform = options.platform ?? process.platform;
  const os = OS_NAMES[platform] ?? capitalise(platform);
  const detected: Record<string, string> = { OS: os };
  if (platform === 'linux') {
    const distro = distroFromOsRelease((options.readOsRelease ?? readSystemOsRelease)());
    if (distro !== undefined) detected['DISTRO'] = distro;
  }
  const arch = options.arch ?? process.arch;
  detected['ARCH'] = ARCH_NAMES[arch] ?? arch;
  const fromEnv = envOverrides(options.env ?? process.env);
  const given = { ...fromEnv, ...checkOverrides(options.overrides ?? {}, 'segment') };
  const merged: Record<string, string> = { ...detected, ...given };
  if (given['FAMILY'] === undefined) {
    const family = UNIX_SYSTEMS.has(merged['OS'] ?? '') ? 'Unix' : undefined;
    if (family === undefined) delete merged['FAMILY'];
    else merged['FAMILY'] = family;
  }
  return sortedWithoutEmpty(merged);
}

/** The capitalised distribution (`Debian`, `Ubuntu`, `RHEL`) from os-release text's `ID`. */
export function distroFromOsRelease(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const match = /^ID=(.*)$/.exec(line.trim());
    if (match === null) continue;
    const id = (match[1] ?? '').replace(/^["']|["']$/g, '').trim().toLowerCase();
    if (id === '') return undefined;
    return DISTRO_NAMES[id] ?? capitalise(id.replace(/[^a-z0-9_+-]/g, ''));
  }
  return undefined;
}

/** Parses a `-s NAME=VALUE` flag. */
export function parseSegmentFlag(text: string): { readonly name: string; readonly value: string } {
  const index = text.indexOf('=');
  if (index <= 0) {
    throw new WritLoreError('invalid-input', `segment "${text}" is not NAME=VALUE`, {
      hint: 'write it as -s DISTRO=Ubuntu (an empty value removes the segment)',
    });
  }
  const name = text.slice(0, index);
  const value = text.slice(index + 1);
  checkOverrides({ [name]: value }, 'segment');
  return { name, value };
}

function envOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(SEGMENT_ENV_PREFIX) || value === undefined) continue;
    found[key.slice(SEGMENT_ENV_PREFIX.length)] = value;
  }
  return checkOverrides(found, `environment variable ${SEGMENT_ENV_PREFIX}`);
}

function checkOverrides(values: Readonly<Record<string, string>>, where: string): Record<string, string> {
  for (const [name, value] of Object.entries(values)) {
    if (!NAME_PATTERN.test(name)) {
      throw new WritLoreError('invalid-input', `${where} name "${name}" must be letters, digits and _`);
    }
    if (!VALUE_PATTERN.test(value)) {
      throw new WritLoreError('invalid-input', `${where} ${name} has the value "${value}", which no directory suffix can match`, {
        hint: 'a segment value holds letters, digits, "_", "+" and "-" (no dots: dots separate suffixes)',
      });
    }
  }
  return { ...values };
}

function sortedWithoutEmpty(values: Readonly<Record<string, string>>): Segments {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(values).sort()) {
    const value = values[name];
    if (value !== undefined && value !== '') sorted[name] = value;
  }
  return sorted;
}

function capitalise(word: string): string {
  return word === '' ? word : (word[0] ?? '').toUpperCase() + word.slice(1);
}

function readSystemOsRelease(): string | undefined {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      // A missing file only means "no distribution known"; anything else is a real failure.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}
