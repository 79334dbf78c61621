import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cli,
  expectOneLineError,
  expectRejected,
  literally,
  applyArgs,
  snapshotBox,
  withHostileWrit,
  type HostileWrit,
} from './hostile-writ-helpers.js';

/*
 * Hostile input to `writ` (issue #8, item 1), part two: repository content (symlinks leaving
 * the repository, names that are not UTF-8 or hold a newline) and hostile flags. Every
 * rejection exits 2 with one line naming the path and changes nothing on disk.
 */

describe.concurrent('hostile repository content', () => {
  it.each([
    ['an absolute link out of the repository', (box: HostileWrit) => box.sentinel],
    ['a relative link climbing out of it', () => '../../../outside/sentinel'],
    ['a dangling link outside it', () => '/nonexistent/secret'],
    ['a link to a directory outside it', (box: HostileWrit) => path.dirname(box.sentinel)],
  ])('refuses %s with exit 2 naming the link', async (_what, target) => {
    await withHostileWrit(async (box) => {
      const link = path.join(box.repo, 'Home', 'shell', '.secret');
      await fs.symlink(target(box), link);
      await expectRejected(box, 'writ', applyArgs(box), 2, new RegExp(`^writ: error: ${literally(link).source}: the symlink points outside its layer`));
    });
  });

  it('deploys a link that stays inside its layer (the check is no blanket ban)', async () => {
    await withHostileWrit(async (box) => {
      await fs.symlink('../git/.config/git/config', path.join(box.repo, 'Home', 'shell', '.gitconfig'));
      const result = await cli(box, 'writ', applyArgs(box));
      expect(result.code, result.stderr).toBe(0);
      expect(await fs.readFile(path.join(box.home, '.gitconfig'), 'utf8')).toBe('[user]\n  name = Kim\n');
    });
  });

  it('refuses a file name that is not UTF-8, naming it', async () => {
    await withHostileWrit(async (box) => {
      const dir = Buffer.from(path.join(box.repo, 'Home', 'shell') + '/');
      const name = Buffer.concat([dir, Buffer.from([0x2e, 0x66, 0xff, 0xfe])]);
      await fs.writeFile(name, 'latin-1 name\n');
      // The snapshot walks decoded names, which cannot reach this file: it is checked by its bytes.
      const skipBadName = { ignore: (name: string) => name.includes('\uFFFD') };
      const before = await snapshotBox(box, skipBadName);
      const result = await cli(box, 'writ', applyArgs(box));
      expectOneLineError(result, 'writ', 2, /Home\/shell\/\.f\uFFFD\uFFFD": the file name is not valid UTF-8/);
      expect(await snapshotBox(box, skipBadName)).toEqual(before);
      expect(await fs.readFile(name, 'utf8')).toBe('latin-1 name\n');
    });
  });

  it('refuses a file name holding a newline, quoting it on one line', async () => {
    await withHostileWrit(async (box) => {
      await fs.writeFile(path.join(box.repo, 'Home', 'shell', '.evil\n+ create  ~.ssh_authorized_keys'), 'x\n');
      await expectRejected(box, 'writ', applyArgs(box, '--dry-run'), 2, /\.evil\\n\+ create .*": the file name holds a control character/);
    });
  });

  it('refuses a project directory that is a file', async () => {
    await withHostileWrit(async (box) => {
      await fs.rm(path.join(box.repo, 'Home', 'git'), { recursive: true });
      await fs.writeFile(path.join(box.repo, 'Home', 'git'), 'not a directory\n');
      await expectRejected(box, 'writ', applyArgs(box, 'git'), 2, /project "git" has no directory/);
    });
  });
});

describe.concurrent('hostile flags', () => {
  it.each([
    ['--layer without =', ['--layer', 'base'], /layer "base" is not NAME=DIR$/],
    ['--layer without a directory', ['--layer', 'base='], /layer "base=" is not NAME=DIR$/],
    ['--layer with a slash in the name', ['--layer', '../x=/tmp'], /layer name "\.\.\/x" must be letters, digits/],
    ['--layer given twice', ['--layer', 'base=/tmp', '--layer', 'base=/tmp'], /layer "base" is given twice$/],
    ['--layer climbing to a missing dir', ['--layer', 'base=repo/../../nope-writ-hostile'], /layer "base" does not exist: \/.*\/nope-writ-hostile$/],
    ['--repo that does not exist', ['--repo', 'nope'], /layer "base" does not exist: \/.*\/nope$/],
    ['--repo that is a file', ['--repo', 'repo/writ.yaml'], /layer "base" is not a directory: /],
    ['an empty --repo', ['--repo', ''], /--repo is empty$/],
    ['an empty --target', ['--repo', 'repo', '--target', ''], /--target is empty$/],
  ])('refuses %s with exit 2', async (_what, flags, message) => {
    await withHostileWrit(async (box) => {
      await expectRejected(box, 'writ', ['apply', '--target', box.home, ...flags], 2, message);
    });
  });

  it('refuses a project name with a path in it', async () => {
    await withHostileWrit(async (box) => {
      await expectRejected(box, 'writ', applyArgs(box, '../shell'), 2, /project "\.\.\/shell"/);
    });
  });

  it('keeps the example repository working from a path with .. in it', async () => {
    await withHostileWrit(async (box) => {
      const result = await cli(box, 'writ', ['apply', '--dry-run', '--repo', `${box.repo}/Home/..`, '--target', `${box.home}/../home`]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`target    ${box.home}\n`);
    });
  });
});
