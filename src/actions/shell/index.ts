import type { ActionProvider } from '../types.js';
import { shellExec } from './shell-exec.js';

export { shellExec } from './shell-exec.js';
export { runCommand, formatArgv, type CommandRun, type CommandResult } from './run-command.js';
export type { ShellCommand, ShellUndoState } from './command-slots.js';

/** The shell actions: `shell.exec`. */
export const shellProvider: ActionProvider = { name: 'shell', actions: [shellExec] };
