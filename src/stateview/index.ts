/** The stateview layer: what receipts say is deployed, file by file and package by package. */
export * from './digest.js';
export * from './entries.js';
export * from './compact.js';
export * from './lazy-entry.js';
export * from './file-tree.js';
export * from './builder.js';
export * from './history.js';
export * from './drift.js';
export * from './deployments.js';
export * from './undo-check.js';
export * from './undo-run.js';
export * from './undo-targets.js';
// Side effect: registers the derivations receipts are indexed with when written.
import './indexes.js';
export * from './undo-confine.js';
