import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { Environment } from '../host-facts.js';

/** The environment variable naming an age identity file. */
export const AGE_IDENTITY_ENV = 'WRIT_LORE_AGE_IDENTITY';

/** Where identities come from, in order of precedence. */
export interface IdentityLookup {
  /** The node's `identity` slot (a path). */
  readonly slot?: string;
  /** Paths from the run (the CLI's `--identity`), as run data `ageIdentities`. */
  readonly fromRun?: readonly string[];
  /** Read for {@link AGE_IDENTITY_ENV}, `XDG_CONFIG_HOME` and `HOME`. */
  readonly env: Environment;
  /** The writ-lore config dir; default `$XDG_CONFIG_HOME/writ-lore` or `~/.config/writ-lore`. */
  readonly configDir?: string;
}

/** Identities loaded from files, with a description of where they came from (for messages). */
export interface AgeIdentities {
  /** `AGE-SECRET-KEY-1…` strings. Secret: never log or serialise them. */
  readonly keys: readonly string[];
  /** E.g. `~/.config/writ-lore/age/identities.txt (config dir)`. */
  readonly origin: string;
}

/** The identity files to read and why: the first source that names any wins. */
export function identityFiles(lookup: IdentityLookup): { readonly files: readonly string[]; readonly origin: string } {
  if (lookup.slot !== undefined) return { files: [lookup.slot], origin: 'the identity slot' };
  if (lookup.fromRun !== undefined && lookup.fromRun.length > 0) {
    return { files: lookup.fromRun, origin: '--identity' };
  }
  const fromEnv = lookup.env[AGE_IDENTITY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { files: [fromEnv], origin: AGE_IDENTITY_ENV };
  const configDir = lookup.configDir ?? defaultConfigDir(lookup.env);
  return { files: [path.join(configDir, 'age', 'identities.txt')], origin: 'the config dir' };
}

function defaultConfigDir(env: Environment): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'writ-lore');
}

/** Reads and checks every identity of the files `lookup` selects. */
export async function loadAgeIdentities(lookup: IdentityLookup): Promise<AgeIdentities> {
  const { files, origin } = identityFiles(lookup);
  const keys: string[] = [];
  for (const file of files) keys.push(...(await readIdentityFile(file, origin)));
  return { keys, origin: `${files.join(', ')} (${origin})` };
}

const HINT =
  `pass --identity FILE, set ${AGE_IDENTITY_ENV}=FILE, or put AGE-SECRET-KEY-1… lines in <config>/age/identities.txt`;

async function readIdentityFile(file: string, origin: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'no age identity file' : `cannot read age identity file (${code ?? 'error'})`;
    throw new WritLoreError(code === 'ENOENT' ? 'not-found' : 'action-failed', `${what} (from ${origin})`, {
      path: file,
      hint: HINT,
      cause: error,
    });
  }
  const keys: string[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    keys.push(await checkIdentity(line, file, index + 1));
  }
  if (keys.length === 0) {
    throw new WritLoreError('action-failed', `age identity file holds no identity (from ${origin})`, { path: file, hint: HINT });
  }
  return keys;
}

/** The line itself if it is a usable identity; the error never quotes it (it is a secret key). */
async function checkIdentity(line: string, file: string, lineNumber: number): Promise<string> {
  const unsupported = line.startsWith('-----BEGIN') || line.startsWith('AGE-PLUGIN-');
  try {
    if (!unsupported && line.startsWith('AGE-SECRET-KEY-')) {
      const { identityToRecipient } = await import('age-encryption');
      await identityToRecipient(line);
      return line;
    }
  } catch (error) {
    // No `cause`: the library's message quotes the key ("Invalid checksum in AGE-SECRET-KEY-1…").
    const reason = error instanceof Error && /checksum/i.test(error.message) ? 'bad checksum' : 'bad encoding';
    throw new WritLoreError('invalid-input', `malformed age identity (${reason})`, { path: file, line: lineNumber });
  }
  throw new WritLoreError('invalid-input', 'not an age identity (expected a line starting AGE-SECRET-KEY-)', {
    path: file,
    line: lineNumber,
    hint: unsupported ? 'SSH keys and age plugins are not supported; use a native age identity' : HINT,
  });
}
