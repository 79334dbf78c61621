import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/actions/content/render.js';
import type { Environment, TemplateData } from '../../../src/actions/host-facts.js';

const DATA: TemplateData = {
  variables: { a: 1, b: 2, yes: true, no: false, name: 'kim' },
  segments: { OS: 'Linux', DISTRO: 'Debian', GPU: '' },
  host: { hostname: 'box', user: 'kim', home: '/home/kim', os: 'linux', arch: 'x64' },
};

function render(text: string, env: Environment = {}): string {
  return renderTemplate(text, DATA, { name: 'helpers.tmpl', env });
}

const yesNo = (condition: string): string => `{{#if ${condition}}}y{{else}}n{{/if}}`;

describe('template helpers', () => {
  it.each([
    ['(eq a 1)', 'y'],
    ['(eq a "1")', 'n'],
    ['(ne a b)', 'y'],
    ['(and yes (eq name "kim"))', 'y'],
    ['(and yes no)', 'n'],
    ['(or no yes)', 'y'],
    ['(or no (eq a 2))', 'n'],
    ['(not no)', 'y'],
    ['(os "linux")', 'y'],
    ['(os "Linux")', 'y'],
    ['(os "unix")', 'y'],
    ['(os "darwin")', 'n'],
    ['(os "macos")', 'n'],
    ['(os "windows")', 'n'],
    ['(segment "OS" "Linux")', 'y'],
    ['(segment "DISTRO" "debian")', 'y'],
    ['(segment "DISTRO" "Fedora")', 'n'],
    ['(segment "NOPE" "x")', 'n'],
    ['(hasSegment "OS")', 'y'],
    ['(hasSegment "GPU")', 'n'],
    ['(hasSegment "NOPE")', 'n'],
  ])('%s is %s', (condition, expected) => {
    expect(render(yesNo(condition))).toBe(expected);
  });

  it.each([
    ['darwin', 'macos'],
    ['win32', 'windows'],
  ])('os accepts a friendly name for %s', (platform, name) => {
    const host = { ...DATA.host, os: platform };
    expect(renderTemplate(yesNo(`(os "${name}")`), { ...DATA, host }, { name: 't', env: {} })).toBe('y');
  });

  it('env reads the injected environment', () => {
    expect(render('{{env "EDITOR" "vi"}}', { EDITOR: 'nano' })).toBe('nano');
  });

  it('env falls back to the default when the variable is unset', () => {
    expect(render('{{env "EDITOR" "vi"}}', {})).toBe('vi');
  });

  it('env without a default fails on an unset variable, naming it', () => {
    expect(() => render('{{env "EDITOR"}}', {})).toThrow('in template: environment variable EDITOR is not set and no default was given');
  });

  it.each([
    ['{{#if (os)}}{{/if}}', 'helper "os" takes 1 string arguments, got 0'],
    ['{{#if (segment "OS")}}{{/if}}', 'helper "segment" takes 2 string arguments, got 1'],
    ['{{#if (os a)}}{{/if}}', 'helper "os" takes 1 string arguments, got 1'],
  ])('rejects a wrong call %s', (text, message) => {
    expect(() => render(text)).toThrow(message);
  });
});
