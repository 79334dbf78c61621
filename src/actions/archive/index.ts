import type { ActionProvider } from '../types.js';
import { extractAction } from './extract.js';

export { extractAction, EXTRACT_SPEC, type ExtractResult } from './extract.js';
export type { ExtractUndo } from './extract-state.js';

/** The `archive` provider: `archive.extract`. */
export const archiveProvider: ActionProvider = { name: 'archive', actions: [extractAction] };
