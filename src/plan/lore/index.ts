/** lore: package registries, manifests, resolution, and the phased install graph. */
export * from './manifest-schema.js';
export * from './manifest.js';
export * from './registry.js';
export * from './platform-names.js';
export * from './resolve.js';
export { parseSetting } from './resolve-options.js';
export * from './interpolate.js';
export * from './confine.js';
export * from './conditions.js';
export * from './build.js';
export * from './installed.js';
export * from './removal.js';
export * from './prefetch.js';
