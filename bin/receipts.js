#!/usr/bin/env node
// Thin shim: the CLI is a function in cli/receipts.ts, bundled into dist/bundle/receipts.js by
// `npm run build` (scripts/bundle.mjs: one bundle loads ~250 ms faster than ~240 modules).
// With --debug, stack traces name the TypeScript sources (the bundle's source maps).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../dist/bundle/receipts.js');

process.exitCode = await main(process.argv.slice(2));
