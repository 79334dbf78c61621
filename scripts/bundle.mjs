// Bundles the three CLIs (dist/cli/{writ,lore,receipts}.js, compiled by tsc) into dist/bundle/,
// which bin/*.js load. Run by `npm run build` after tsc.
//
// Why: Node's ESM loader resolves, reads, compiles and links every module file one by one. The
// writ apply path spans ~240 files, and loading them cost ~250 ms of every run, more than the
// work of a 1,000-file apply. One bundle per tool, with the lazily imported subcommands split
// into shared chunks, loads in a few dozen milliseconds and keeps `--help` from loading the
// library. Libraries the code loads on demand through createRequire (yaml, handlebars, diff)
// stay out of the bundle and still load only when needed; @napi-rs/lzma is native.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/writ.js', 'dist/cli/lore.js', 'dist/cli/receipts.js'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Class and function names stay as written: errors and --debug stack traces name them.
  keepNames: true,
  // Less source for V8 to scan on every start (the main chunk 897 → 633 KB, ~15 ms of each
  // apply); identifiers are kept, so names and --debug traces read as before.
  minifyWhitespace: true,
  minifySyntax: true,
  // Maps back to the TypeScript sources (through tsc's maps); bin/*.js enables them for --debug.
  sourcemap: 'linked',
  sourcesContent: false,
  external: ['@napi-rs/lzma'],
  // CommonJS dependencies call require() for Node built-ins; an ES module has no `require`.
  banner: { js: "import { createRequire as __writLoreRequire } from 'node:module';\nconst require = __writLoreRequire(import.meta.url);" },
  logLevel: 'warning',
});
