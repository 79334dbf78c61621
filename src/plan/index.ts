/** The plan layer: the Plan builder and its handles; writ/ and lore/ build graphs with it. */
export * from './handles.js';
export * from './predicate.js';
export * from './builder.js';
export * from './phases.js';
export * from './plan.js';
export * from './options.js';
export * from './writ/index.js';
export * from './lore/index.js';
