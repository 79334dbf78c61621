import { parseDuration, WritLoreError, type JsonObject } from '../../graph/index.js';
import type { Environment } from '../host-facts.js';
import { describeValueType, optionalObject, optionalString, optionalStringArray } from '../slot-values.js';
import type { ResolvedSlots } from '../types.js';
import { formatArgv } from './run-command.js';

/** A `shell.exec` node's slots, read and checked. */
export interface ShellCommand {
  readonly argv: readonly string[];
  /** The command as messages show it. */
  readonly display: string;
  readonly cwd?: string;
  /** Variables the node sets on top of the run's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Paths the command is declared to create; all present means the step is done already. */
  readonly creates: readonly string[];
  /** The argv that undoes the command, if any. */
  readonly undo?: readonly string[];
  readonly timeoutMs?: number;
}

/** Reads `argv` or `command`, `cwd`, `env`, `creates`, `undo` and `timeout`. */
export function readShellCommand(slots: ResolvedSlots, nodeId: string): ShellCommand {
  const argv = optionalStringArray(slots, 'argv', nodeId);
  const command = optionalString(slots, 'command', nodeId);
  if ((argv === undefined) === (command === undefined)) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": shell.exec needs exactly one of "argv" and "command"`);
  }
  if (argv !== undefined && argv.length === 0) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "argv" must not be empty`);
  }
  const undo = optionalStringArray(slots, 'undo', nodeId);
  if (undo !== undefined && undo.length === 0) {
    throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "undo" must not be empty`);
  }
  const cwd = optionalString(slots, 'cwd', nodeId);
  const timeoutMs = readTimeout(slots, nodeId);
  return {
    argv: argv ?? ['/bin/sh', '-c', command ?? ''],
    display: command ?? formatArgv(argv ?? []),
    env: readEnv(slots, nodeId),
    creates: optionalStringArray(slots, 'creates', nodeId) ?? [],
    ...(cwd === undefined ? {} : { cwd }),
    ...(undo === undefined ? {} : { undo }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

function readEnv(slots: ResolvedSlots, nodeId: string): Readonly<Record<string, string>> {
  const env = optionalObject(slots, 'env', nodeId) ?? {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value !== 'string') {
      throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "env.${name}" must be a string, got ${describeValueType(value)}`);
    }
  }
  return env as Readonly<Record<string, string>>;
}

function readTimeout(slots: ResolvedSlots, nodeId: string): number | undefined {
  const value = slots.timeout;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseDuration(value);
  throw new WritLoreError('invalid-slot', `node "${nodeId}": slot "timeout" must be a duration such as "30s", got ${describeValueType(value)}`);
}

/** Names whose values are likely secrets: they are not written into undo state. */
const SECRET_NAME = /TOKEN|SECRET|PASSW|PASSPHRASE|API_?KEY|PRIVATE|CREDENTIAL|AUTH|COOKIE|SESSION/i;

/** The undo state of a `shell.exec` step (JSON, journalled and kept in receipts). */
export type ShellUndoState =
  | { readonly kind: 'none'; readonly command: string }
  | {
      readonly kind: 'command';
      readonly command: string;
      readonly argv: readonly string[];
      readonly cwd: string | null;
      /** Values of the node's env; `null` for a secret-looking one, re-read from the environment at undo. */
      readonly env: Readonly<Record<string, string | null>>;
    };

/** The undo state to journal for `command` (secret-looking env values are left out). */
export function undoStateFor(command: ShellCommand): ShellUndoState {
  if (command.undo === undefined) return { kind: 'none', command: command.display };
  const env = Object.fromEntries(
    Object.entries(command.env).map(([name, value]) => [name, SECRET_NAME.test(name) ? null : value]),
  );
  return { kind: 'command', command: command.display, argv: command.undo, cwd: command.cwd ?? null, env };
}

/** Reads back undo state written by {@link undoStateFor}; throws on anything else. */
export function parseUndoState(state: unknown): ShellUndoState {
  if (typeof state === 'object' && state !== null && !Array.isArray(state)) {
    const s = state as JsonObject;
    if (s.kind === 'none' && typeof s.command === 'string') return { kind: 'none', command: s.command };
    const argv = s.argv;
    const env = s.env;
    if (
      s.kind === 'command' &&
      typeof s.command === 'string' &&
      Array.isArray(argv) &&
      argv.length > 0 &&
      argv.every((a) => typeof a === 'string') &&
      (s.cwd === null || typeof s.cwd === 'string') &&
      typeof env === 'object' && env !== null && !Array.isArray(env) &&
      Object.values(env).every((v) => v === null || typeof v === 'string')
    ) {
      return { kind: 'command', command: s.command, argv: argv as string[], cwd: s.cwd, env: env as Record<string, string | null> };
    }
  }
  throw new WritLoreError('invalid-input', `shell.exec undo state is malformed: ${JSON.stringify(state)}`);
}

/** The environment an undo command runs with: the recorded values over the current environment. */
export function undoEnvironment(state: Readonly<Record<string, string | null>>, base: Environment): Environment {
  const env: Record<string, string | undefined> = { ...base };
  for (const [name, value] of Object.entries(state)) if (value !== null) env[name] = value;
  return env;
}
