import type { ActionProvider } from '../types.js';
import { copyAction, writeAction } from './copy.js';
import { linkAction } from './link.js';
import { mkdirAction } from './mkdir.js';
import { moveAction } from './move.js';
import { backupAction, removeAction, unlinkAction } from './remove.js';

export { copyAction, writeAction } from './copy.js';
export { linkAction } from './link.js';
export { mkdirAction } from './mkdir.js';
export { moveAction } from './move.js';
export { backupAction, removeAction, unlinkAction } from './remove.js';
export { ON_CONFLICT_VALUES, type OnConflict } from './slots.js';
export type { FileUndo, Placed, StateRecord } from './undo-state.js';

/** The file actions: link, copy, write, mkdir, remove, unlink, move, backup. */
export const fileProvider: ActionProvider = {
  name: 'file',
  actions: [
    linkAction,
    copyAction,
    writeAction,
    mkdirAction,
    removeAction,
    unlinkAction,
    moveAction,
    backupAction,
  ],
};
