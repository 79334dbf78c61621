#!/usr/bin/env node
// Thin shim: the CLI is a function in dist/cli/writ.js (compiled by `npm run build`).
import { main } from '../dist/cli/writ.js';

process.exitCode = await main(process.argv.slice(2));
