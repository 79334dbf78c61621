import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cli,
  expectOneLineError,
  expectRejected,
  literally,
  applyArgs,
  snapshotBox,
  withHostileWrit,
} from './hostile-writ-helpers.js';

/*
 * Hostile and broken input to `writ` (issue #8, item 1): settings files and repository content.
 * Repository content and flags are in hostile-repo.test.ts, saved plans in hostile-plans.test.ts, receipts and state files in hostile-receipts.test.ts.
 * Every rejection exits 2 with one line naming the file (and line) and changes nothing on disk.
 */

/** A writ.yaml using every key, to cut and corrupt. */
const FULL_SETTINGS = 'projects: [shell, git]\ncopy:\n  - "**/.ssh/config"\nignore:\n  - "*.swp"\nvariables:\n  name: Kim Example\n  email: kim@example.org\n';

describe.concurrent('a broken writ.yaml in the repository', () => {
  it.each([
    ['a wrong type', 'projects: 5\n', /writ\.yaml:1: "projects" must be a list of strings$/],
    ['a key of the config file', 'layers: [a]\n', /writ\.yaml:1: unknown key "layers"$/],
    ['a misspelt key', 'projects: [shell]\ncopyy: ["*"]\n', /writ\.yaml:2: unknown key "copyy" \(did you mean "copy"\?\)$/],
    ['an unclosed list', 'projects: [shell\n', /writ\.yaml:2: /],
    ['a list at the top', '- shell\n- git\n', /writ\.yaml:1: the file must be a mapping of settings$/],
    ['a duplicate key', 'projects: [shell]\nprojects: [git]\n', /writ\.yaml:2: .*(duplicate|unique)/i],
    ['a tab as indentation', 'variables:\n\tname: x\n', /writ\.yaml:2: /],
  ])('refuses %s with exit 2 and file:line, deploying nothing', async (_what, text, message) => {
    await withHostileWrit(async (box) => {
      await fs.writeFile(path.join(box.repo, 'writ.yaml'), text);
      await expectRejected(box, 'writ', applyArgs(box), 2, message);
    });
  });

  it('reads an empty writ.yaml as no settings: the default project "all", which this repository lacks', async () => {
    await withHostileWrit(async (box) => {
      await fs.writeFile(path.join(box.repo, 'writ.yaml'), '');
      await expectRejected(box, 'writ', applyArgs(box, '--dry-run'), 2, /^writ: error: project "all" has no directory in any layer$/);
    });
  });

  it('answers any cut of a valid writ.yaml with a plan or a one-line error, never a crash', async () => {
    await withHostileWrit(async (box) => {
      const file = path.join(box.repo, 'writ.yaml');
      await fc.assert(
        // From one character on: the empty cut is a valid, empty file (the test above).
        fc.asyncProperty(fc.integer({ min: 1, max: FULL_SETTINGS.length - 1 }), async (cut) => {
          await fs.writeFile(file, FULL_SETTINGS.slice(0, cut));
          const before = await snapshotBox(box);
          const result = await cli(box, 'writ', applyArgs(box, '--dry-run'));
          if (result.code !== 0) expectOneLineError(result, 'writ', 2, /writ\.yaml(:\d+)?: /);
          expect(await snapshotBox(box)).toEqual(before);
        }),
        { numRuns: 3 },
      );
    });
  });

  it('answers random bytes as writ.yaml with a plan or a one-line error naming the file', async () => {
    await withHostileWrit(async (box) => {
      const file = path.join(box.repo, 'writ.yaml');
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
          await fs.writeFile(file, bytes);
          const before = await snapshotBox(box);
          const result = await cli(box, 'writ', applyArgs(box, '--dry-run'));
          if (result.code !== 0) expectOneLineError(result, 'writ', 2, literally(file));
          expect(await snapshotBox(box)).toEqual(before);
        }),
        { numRuns: 3 },
      );
    });
  });

  it('refuses a 50 MB writ.yaml at once instead of parsing it for minutes', async () => {
    await withHostileWrit(async (box) => {
      const line = '  v: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n';
      await fs.writeFile(path.join(box.repo, 'writ.yaml'), 'variables:\n' + line.repeat(Math.ceil(50e6 / line.length)));
      // Before the limit this ran for minutes and took gigabytes: the test's timeout is the check.
      await expectRejected(box, 'writ', applyArgs(box), 2, /writ\.yaml: 4\d\.\d MiB is too large for a settings file/);
    });
  }, 30_000);
});

describe.concurrent('a broken writ.yaml in the config directory', () => {
  it.each([
    ['projects of the wrong type', 'projects: 5\n', /config\/writ\.yaml:1: "projects" must be a list of strings$/],
    ['layers as a list', 'layers: [a]\n', /config\/writ\.yaml:1: "layers" must be a mapping$/],
    ['a layer that is not a path', 'layers:\n  base: 5\n', /config\/writ\.yaml:2: layer "base" must be a directory path$/],
    ['a misspelt key', 'layer:\n  base: /x\n', /config\/writ\.yaml:1: unknown key "layer" \(did you mean "layers"\?\)$/],
    ['broken YAML', 'layers: {base: /x\n', /config\/writ\.yaml:\d+: /],
    // YAML would take a comment with a NUL byte as an empty file: binary bytes are refused.
    ['a NUL byte in a comment', '# layers\n#\0\n', /config\/writ\.yaml:2: contains a control character \(U\+0000\); a settings file is text$/],
    ['an escape character', 'projects: [a\u001b[31m]\n', /config\/writ\.yaml:1: contains a control character \(U\+001B\); a settings file is text$/],
  ])('refuses %s with exit 2 and file:line', async (_what, text, message) => {
    await withHostileWrit(async (box) => {
      await fs.mkdir(box.config);
      await fs.writeFile(path.join(box.config, 'writ.yaml'), text);
      await expectRejected(box, 'writ', applyArgs(box), 2, message);
    });
  });
});
