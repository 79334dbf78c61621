import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from '../../src/graph/index.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['projcts', 'projects', 1],
    ['flie', 'file', 1], // a swap of neighbours counts once
    ['nodez', 'nodes', 1],
  ])('is %i edits from %s to %s', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });

  it('is symmetric and zero exactly for equal words', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
      }),
    );
  });
});

describe('closestName', () => {
  it.each([
    ['file.lnk', 'file.link'],
    ['file.cpy', 'file.copy'],
    ['flie.link', 'file.link'],
    ['file.mkdri', 'file.mkdir'],
    ['FILE.LINK', 'file.link'],
    ['shell.exec', undefined],
  ])('maps %s to %s', (name, expected) => {
    expect(closestName(name, ['file.link', 'file.copy', 'file.mkdir', 'net.download'])).toBe(expected);
  });

  it('breaks ties alphabetically', () => {
    expect(closestName('file.b', ['file.c', 'file.a'])).toBe('file.a');
  });
});

describe('didYouMean', () => {
  it('phrases the nearest candidate, or nothing when none is close', () => {
    expect(didYouMean('projcts', ['projects', 'copy', 'ignore'])).toBe(' (did you mean "projects"?)');
    expect(didYouMean('zzzzzz', ['projects', 'copy', 'ignore'])).toBe('');
  });
});
