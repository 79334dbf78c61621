/** writ-lore: the public API. Everything a library user imports comes from here. */
export * from './graph/index.js';
export * from './actions/index.js';
export * from './plan/index.js';
export * from './executor/index.js';
export * from './receipts/index.js';
export * from './stateview/index.js';
