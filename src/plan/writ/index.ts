/**
 * writ's repository model: a layered dotfiles repository → a pending `writ` graph.
 *
 * - **Layers** ({@link resolveLayers}): `--layer NAME=DIR` flags, else `--repo DIR` (one layer
 *   `base`), else `WRIT_REPO`, else `layers:` in `<config>/writ.yaml`. Rank, lowest first:
 *   `base`, custom layers in the order given, `team`, `personal` ({@link rankLayers}).
 * - **Settings**: each layer may hold a `writ.yaml` (`projects`, `copy`, `ignore`,
 *   `variables`; unknown keys are errors with file and line). Merged ({@link mergeRepoConfigs}):
 *   `projects` is the union (lowest layer first), `copy`/`ignore` are unions applied to every
 *   layer, `variables` merge per key with the higher layer winning; the user's config file's
 *   `variables` win over all layers and its `projects` replace the layers' union.
 * - **Projects** ({@link chooseProjects}): named ones, else the user config's, else the
 *   layers' union, else `all`. A name with no directory in any layer is an error.
 * - **Segments** ({@link detectSegments}): `OS`, `DISTRO`, `ARCH`, `FAMILY` (`Unix`);
 *   `-s NAME=VALUE` > `WRIT_SEGMENT_<NAME>` > detected. A directory `<project>[.<Suffix>…]`
 *   applies when every suffix equals some segment value (case-sensitive); specificity is the
 *   number of suffixes.
 * - **Paths**: `Home/<dir>/…` deploys under the target root, `System/<dir>/…` under `/` with
 *   `--system` only. Globs ({@link GlobRule}) match paths relative to the layer root.
 *   Always excluded: `.git`, `.DS_Store`, `*.swp`, `*.sw[a-o]`, `*~`, `.#*`, `#*#`, and the
 *   layer root's `writ.yaml` and `.writignore`.
 * - **Transforms** ({@link transformOf}): `.age` decrypts, `.tmpl`/`.template` renders, applied
 *   from the outermost suffix in (`x.tmpl.age`: decrypt, then render); transformed files are
 *   copied (decrypted ones 0600, others keep the source's mode); `copy:` globs copy plain
 *   files; everything else is linked.
 * - **Collisions** ({@link settleCollisions}), keyed by absolute target: higher layer, then
 *   higher specificity; a tie for first place is an error naming both sources.
 */
export * from './types.js';
export * from './segments.js';
export * from './project-dir.js';
export * from './transforms.js';
export * from './config.js';
export * from './layers.js';
export * from './globs.js';
export * from './ignore.js';
export * from './scan.js';
export * from './collisions.js';
export * from './build.js';
export * from './sources.js';
export * from './run-data.js';
export * from './confine.js';
