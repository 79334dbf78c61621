/** writ-lore: the public API. Everything a library user imports comes from here. */
export * from './graph/index.js';
export * from './actions/index.js';
