/** The graph layer: data model, slots, validation, dependency analysis, codec and integrity. */
export * from './types.js';
export * from './errors.js';
export * from './slots.js';
export * from './catalog.js';
