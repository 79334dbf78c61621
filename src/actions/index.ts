/** The actions layer: Action interfaces, the registry and the built-in providers. */
export * from './types.js';
export * from './clock.js';
export * from './backup.js';
