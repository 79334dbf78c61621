import { describe, expect, it } from 'vitest';
import { matchGlobs, parseGlobFile, parseGlobLine } from '../../../src/plan/index.js';

function decides(lines: string, path: string, isDirectory = false): string | undefined {
  return matchGlobs(parseGlobFile(lines, '.writignore'), path, isDirectory)?.pattern;
}

describe('parseGlobLine', () => {
  it.each(['', '   ', '# a comment'])('ignores the line %j', (line) => {
    expect(parseGlobLine(line, 'x:1')).toBeUndefined();
  });

  it('reads negation, directory-only and anchoring', () => {
    expect(parseGlobLine('!keep/', 'x:1')).toMatchObject({ negated: true, directoryOnly: true, anchored: false });
    expect(parseGlobLine('/Home/x', 'x:1')).toMatchObject({ negated: false, directoryOnly: false, anchored: true });
    expect(parseGlobLine('\\#literal', 'x:1')).toMatchObject({ negated: false, anchored: false });
  });
});

describe('matchGlobs', () => {
  it.each([
    ['*.swp', 'Home/all/.inputrc.swp', false, '*.swp'],
    ['*.swp', 'Home/all/.inputrc', false, undefined],
    ['scratch/', 'Home/scratch', true, 'scratch/'],
    ['scratch/', 'Home/all/scratch', false, undefined],
    ['**/README.md', 'Home/README.md', false, '**/README.md'],
    ['**/README.md', 'README.md', false, '**/README.md'],
    ['Home/*/notes.txt', 'Home/kim/notes.txt', false, 'Home/*/notes.txt'],
    ['Home/*/notes.txt', 'Home/kim/sub/notes.txt', false, undefined],
    ['/Home/kim', 'Home/kim', true, '/Home/kim'],
    ['/Home/kim', 'System/Home/kim', true, undefined],
    ['*.{bak,old}', 'Home/a/x.old', false, '*.{bak,old}'],
    ['\\#literal', 'Home/a/#literal', false, '\\#literal'],
    ['*.log\n!keep.log', 'Home/a/keep.log', false, undefined],
    ['*.log\n!keep.log', 'Home/a/other.log', false, '*.log'],
    ['!keep.log\n*.log', 'Home/a/keep.log', false, '*.log'],
  ])('with %j decides %s (dir: %s) by %j', (lines, path, isDirectory, expected) => {
    expect(decides(lines, path, isDirectory)).toBe(expected);
  });

  it('records where each rule was written', () => {
    const rules = parseGlobFile('# header\n\n*.bak\n', '/repo/.writignore');
    expect(rules.map((rule) => rule.origin)).toEqual(['/repo/.writignore:3']);
  });
});
