import { afterEach, describe, expect, it } from 'vitest';
import { CopyRules, IgnoreRules } from '../../../src/plan/index.js';
import { TempDirs } from './repo.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

describe('IgnoreRules', () => {
  it.each([
    ['Home/all/.git', true],
    ['Home/all/sub/.git', false],
    ['Home/all/.DS_Store', false],
    ['Home/all/x.swp', false],
    // Vim's further swap files, when .swp is taken: .swo, .swn, … down to .swa.
    ['Home/all/.x.swo', false],
    ['Home/all/.x.swa', false],
    ['Home/all/x~', false],
    ['Home/all/.#lock', false],
    ['Home/all/#autosave#', false],
  ])('always excludes %s', (path, isDirectory) => {
    const reason = new IgnoreRules([]).reason(path, isDirectory);
    expect(reason).toMatch(/^always excluded/);
  });

  it('keeps a file that only looks like a swap file', () => {
    expect(new IgnoreRules([]).reason('Home/all/notes.swz', false)).toBeUndefined();
  });

  it('never deploys the layer-root settings files, but a deeper writ.yaml is a file like any other', () => {
    const rules = new IgnoreRules([]);
    expect(rules.reason('writ.yaml', false)).toMatch(/configures writ/);
    expect(rules.reason('.writignore', false)).toMatch(/configures writ/);
    expect(rules.reason('Home/app/writ.yaml', false)).toBeUndefined();
  });

  it('cannot be talked out of an always-excluded name with a ! line', () => {
    const root = dirs.repo({ '.writignore': '!*.swp\n' });
    expect(IgnoreRules.forLayer(root, []).reason('Home/a/x.swp', false)).toMatch(/^always excluded/);
  });

  it('applies writ.yaml globs, then the layer .writignore (which may re-include)', () => {
    const root = dirs.repo({ '.writignore': '# local\nscratch/\n!keep.bak\n' });
    const rules = IgnoreRules.forLayer(root, [{ glob: '*.bak', origin: '/base/writ.yaml:4' }]);
    expect(rules.reason('Home/a/old.bak', false)).toBe('ignored by /base/writ.yaml:4 "*.bak"');
    expect(rules.reason('Home/a/keep.bak', false)).toBeUndefined();
    expect(rules.reason('Home/scratch', true)).toBe(`ignored by ${root}/.writignore:2 "scratch/"`);
    expect(rules.reason('Home/a/file', false)).toBeUndefined();
  });
});

describe('CopyRules', () => {
  it('copies what a copy: glob matches, relative to the layer root', () => {
    const rules = new CopyRules([{ glob: '**/.ssh/config', origin: 'w:3' }, { glob: 'bin/', origin: 'w:4' }]);
    expect(rules.isCopied('Home/kim/.ssh/config')).toBe(true);
    expect(rules.isCopied('Home/kim/.ssh/known_hosts')).toBe(false);
    expect(rules.isCopied('Home/kim/bin/tool')).toBe(true);
    expect(rules.isCopied('Home/kim/bin')).toBe(false);
    expect(new CopyRules([]).isCopied('Home/kim/.ssh/config')).toBe(false);
  });
});
