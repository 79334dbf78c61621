import os from 'node:os';
import path from 'node:path';

/** Where the environment and home directory come from; injectable for tests. */
export interface DirectoryEnvironment {
  /** Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to `os.homedir()`. */
  readonly home?: string;
}

/** Options of {@link resolveStateDir}: an explicit `--state-dir` wins over the environment. */
export interface StateDirOptions extends DirectoryEnvironment {
  readonly stateDir?: string;
}

/** Options of {@link resolveConfigDir}: an explicit `--config-dir` wins over the environment. */
export interface ConfigDirOptions extends DirectoryEnvironment {
  readonly configDir?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The state directory (DESIGN.md §6): `--state-dir`, else `$WRIT_LORE_STATE_DIR`, else
 * `$XDG_STATE_HOME/writ-lore`, else `~/.local/state/writ-lore`. Always absolute.
 */
export function resolveStateDir(options: StateDirOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = nonEmpty(options.stateDir) ?? nonEmpty(env['WRIT_LORE_STATE_DIR']);
  if (explicit !== undefined) return path.resolve(explicit);
  // The XDG spec says a relative XDG_* value is invalid and must be ignored.
  const xdg = nonEmpty(env['XDG_STATE_HOME']);
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'writ-lore');
  return path.join(options.home ?? os.homedir(), '.local', 'state', 'writ-lore');
}

/**
 * The config directory: `--config-dir`, else `$WRIT_LORE_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/writ-lore`, else `~/.config/writ-lore`. Always absolute.
 */
export function resolveConfigDir(options: ConfigDirOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = nonEmpty(options.configDir) ?? nonEmpty(env['WRIT_LORE_CONFIG_DIR']);
  if (explicit !== undefined) return path.resolve(explicit);
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'writ-lore');
  return path.join(options.home ?? os.homedir(), '.config', 'writ-lore');
}

/** The fixed places under a state directory. */
export interface StateLayout {
  readonly root: string;
  readonly receipts: string;
  readonly backups: string;
  readonly lock: string;
  /** Verified-receipt cache (derived data; safe to delete). */
  readonly cache: string;
}

/** The layout of the state directory `root`. */
export function stateLayout(root: string): StateLayout {
  return {
    root,
    receipts: path.join(root, 'receipts'),
    backups: path.join(root, 'backups'),
    lock: path.join(root, 'lock'),
    cache: path.join(root, 'cache', 'receipts'),
  };
}

/** The fixed places under a config directory. */
export interface ConfigLayout {
  readonly root: string;
  readonly signingKey: string;
  readonly signingPublicKey: string;
  readonly trusted: string;
}

/** The layout of the config directory `root`. */
export function configLayout(root: string): ConfigLayout {
  return {
    root,
    signingKey: path.join(root, 'keys', 'signing.key'),
    signingPublicKey: path.join(root, 'keys', 'signing.pub'),
    trusted: path.join(root, 'trusted'),
  };
}
