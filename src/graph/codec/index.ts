/** The graph codec: canonical YAML and JSON writers and the strict reader. */
export { writeGraphYaml, graphToJson, canonicalContent, canonicalBytes, canonicalChunks, writeCanonicalTo, sealYaml } from './write.js';
export { parseGraph } from './parse.js';
export type { ParseGraphOptions } from './parse.js';
export { splitSealedYaml } from './sealed.js';
export type { SealedBytes } from './sealed.js';
export { readCanonicalScalar, readCanonicalString } from './fast-read.js';
