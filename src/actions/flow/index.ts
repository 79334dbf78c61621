import type { ActionProvider } from '../types.js';
import { chooseAction } from './choose.js';
import { gatherAction } from './gather.js';

export * from './runtime.js';
export * from './predicate.js';
export { gatherAction } from './gather.js';
export { chooseAction } from './choose.js';

/** The flow provider: `flow.gather` and `flow.choose`, which run body phases. */
export const flowProvider: ActionProvider = {
  name: 'flow',
  actions: [gatherAction, chooseAction],
};
