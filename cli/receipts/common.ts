import {
  KeyStore,
  ReceiptStore,
  resolveConfigDir,
  resolveStateDir,
  type GraphState,
} from '../../src/index.js';
import type { CommandContext } from '../program.js';
import type { Output, Style } from '../output.js';

/** Options every `receipts` subcommand that reads receipts understands. */
export interface StoreOptions {
  readonly configDir?: string;
  readonly requireSignature?: boolean;
}

/** The receipt store for a command: `--state-dir`/`--config-dir`, else the environment. */
export function openStore(ctx: CommandContext<StoreOptions>): ReceiptStore {
  const env = ctx.streams.env;
  const stateDir = resolveStateDir({ env, ...(ctx.options.stateDir === undefined ? {} : { stateDir: ctx.options.stateDir }) });
  return new ReceiptStore({
    stateDir,
    keys: openKeys(ctx),
    requireSignature: ctx.options.requireSignature === true,
  });
}

/** The key store for a command (`--config-dir`, else the environment). */
export function openKeys(ctx: CommandContext<StoreOptions>): KeyStore {
  const env = ctx.streams.env;
  return new KeyStore(resolveConfigDir({ env, ...(ctx.options.configDir === undefined ? {} : { configDir: ctx.options.configDir }) }));
}

const STATE_STYLE = {
  pending: 'dim',
  executed: 'green',
  failed: 'red',
  rolled_back: 'yellow',
  interrupted: 'magenta',
} as const satisfies Record<GraphState, Style>;

/** A graph state, coloured on a TTY. */
export function paintState(out: Output, state: GraphState): string {
  return out.paint(STATE_STYLE[state], state);
}

/** `2026-11-01T12:00:00.000Z` → `2026-11-01 12:00:00` (UTC, as stored). */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** `sha256:abcdef…` → `abcdef123456` (12 hex digits), or `-`. */
export function shortDigest(digest: string | undefined): string {
  return digest === undefined ? '-' : digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Bytes in human units (1024-based). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The `--json` envelope version of every `receipts` command (see docs/formats.md). */
export const JSON_FORMAT_VERSION = 1;
