import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch } from 'diff';
import { unifiedDiff } from '../../src/actions/diff.js';

describe('unifiedDiff', () => {
  it('returns an empty string when both sides are equal', () => {
    expect(unifiedDiff('etc/x.conf', 'a\nb\n', Buffer.from('a\nb\n'))).toBe('');
    expect(unifiedDiff('etc/x.conf', null, null)).toBe('');
  });

  it('shows a changed line as a git-style hunk with a/ and b/ headers', () => {
    expect(unifiedDiff('.gitconfig', 'one\ntwo\nthree\n', 'one\nTWO\nthree\n')).toBe(
      ['--- a/.gitconfig', '+++ b/.gitconfig', '@@ -1,3 +1,3 @@', ' one', '-two', '+TWO', ' three', ''].join('\n'),
    );
  });

  it('diffs a missing target against /dev/null', () => {
    expect(unifiedDiff('/home/u/.bashrc', null, 'alias ll=ls\n')).toBe(
      ['--- /dev/null', '+++ b/home/u/.bashrc', '@@ -0,0 +1,1 @@', '+alias ll=ls', ''].join('\n'),
    );
  });

  it('diffs a removal against /dev/null on the new side', () => {
    expect(unifiedDiff('x', 'gone\n', null)).toContain('+++ /dev/null\n@@ -1,1 +0,0 @@\n-gone');
  });

  it.each([
    ['a NUL byte', Buffer.from([0x61, 0x00, 0x62])],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x41])],
  ])('reports binary files when one side has %s', (_why, bytes) => {
    expect(unifiedDiff('bin/tool', 'text\n', bytes)).toBe('Binary files a/bin/tool and b/bin/tool differ\n');
  });

  it('shows only digests for secret content, never a line of it', () => {
    const out = unifiedDiff('.netrc', 'password old-secret\n', 'password new-secret\n', { secret: true });
    expect(out).toMatch(/^Secret \.netrc differs: sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}\n$/);
    expect(out).not.toContain('secret\n');
    expect(out).not.toMatch(/old-secret|new-secret/);
  });

  it('marks a missing secret target as missing', () => {
    expect(unifiedDiff('.netrc', null, 'x', { secret: true })).toMatch(/differs: \(missing\) -> sha256:/);
  });

  it('produces a patch that turns the old text into the new text', () => {
    const line = fc.stringMatching(/^[a-z ]{0,6}$/);
    const text = fc.array(line, { maxLength: 12 }).map((lines) => lines.map((l) => `${l}\n`).join(''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const patch = unifiedDiff('f', before, after);
        if (before === after) return patch === '';
        return applyPatch(before, patch) === after;
      }),
    );
  });
});
