/** The graph layer: data model, slots, validation, dependency analysis, codec and integrity. */
export * from './types.js';
export * from './errors.js';
export * from './slots.js';
export { deepFreeze } from './frozen.js';
export * from './catalog.js';
export * from './duration.js';
export * from './retry.js';
export * from './resolve.js';
export * from './dependency-view.js';
export * from './validate.js';
export * from './codec/index.js';
export * from './integrity.js';
export * from './summary.js';
export * from './min-heap.js';
export * from './suggest.js';
