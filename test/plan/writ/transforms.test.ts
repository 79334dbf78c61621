import { describe, expect, it } from 'vitest';
import { transformOf } from '../../../src/plan/index.js';

describe('transformOf', () => {
  it.each([
    ['.bashrc', '.bashrc', 'link'],
    ['config.tmpl', 'config', 'render'],
    ['config.template', 'config', 'render'],
    ['token.env.age', 'token.env', 'decrypt'],
    ['netrc.tmpl.age', 'netrc', 'decrypt-render'],
    ['netrc.template.age', 'netrc', 'decrypt-render'],
    ['notes.age.txt', 'notes.age.txt', 'link'],
    ['.age', '.age', 'link'],
    ['.tmpl', '.tmpl', 'link'],
  ])('reads %s as target %s, transform %s', (name, targetName, transform) => {
    expect(transformOf(name, `/repo/${name}`)).toEqual({ targetName, transform });
  });

  it.each(['netrc.age.tmpl', 'x.age.age', 'x.tmpl.tmpl', 'x.template.tmpl.age'])(
    'refuses %s, whose suffixes cannot be applied from the outside in',
    (name) => {
      expect(() => transformOf(name, `/repo/${name}`)).toThrow(/outermost suffix/);
    },
  );
});
