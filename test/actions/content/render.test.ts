import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/actions/content/render.js';
import type { TemplateData } from '../../../src/actions/host-facts.js';
import { thrown } from '../../helpers/thrown.js';

const HOST = { hostname: 'box', user: 'kim', home: '/home/kim', os: 'linux', arch: 'x64' };

function data(variables: Record<string, unknown> = {}, segments: Record<string, string> = {}): TemplateData {
  return { variables, segments, host: HOST };
}

describe('renderTemplate', () => {
  it('offers variables at the top level and under variables, with host and segments', () => {
    const text = '{{email}} {{variables.email}} {{host.user}}@{{host.hostname}} {{segments.OS}}\n';
    expect(renderTemplate(text, data({ email: 'k@x' }, { OS: 'Linux' }), { name: 't' })).toBe(
      'k@x k@x kim@box Linux\n',
    );
  });

  it('does not HTML-escape values (config files are not HTML)', () => {
    expect(renderTemplate('{{v}}', data({ v: `<a & "b" 'c'>` }), { name: 't' })).toBe(`<a & "b" 'c'>`);
  });

  it('keeps the run data when a variable is named like it', () => {
    expect(renderTemplate('{{host.user}}', data({ host: 'shadow' }), { name: 't' })).toBe('kim');
  });

  it('fails on an undefined variable, naming it, the template and the line', () => {
    const error = thrown(() => renderTemplate('a\nb {{nmae}}\n', data({ name: 'k' }), { name: 'dot/gitconfig.tmpl' }));
    expect(error.code).toBe('action-failed');
    expect(error.located).toBe('dot/gitconfig.tmpl:2: undefined template variable "nmae"');
    expect(error.hint).toContain('known: name');
  });

  it('fails on an undefined nested field', () => {
    const error = thrown(() => renderTemplate('{{user.mail}}', data({ user: { name: 'k' } }), { name: 't' }));
    expect(error.message).toBe('undefined template variable "mail"');
  });

  it('lets {{#if}} guard an optional variable', () => {
    expect(renderTemplate('[{{#if proxy}}{{proxy}}{{/if}}]', data(), { name: 't' })).toBe('[]');
  });

  it('reports a syntax error by line without quoting the template text (it may be a secret)', () => {
    const error = thrown(() => renderTemplate('ok\npassword hunter2 {{/if}}\nmore\n', data(), { name: 'secret.tmpl' }));
    expect(error.located).toMatch(/^secret\.tmpl:2: template syntax error: Expecting/);
    const everything = `${error.message} ${error.hint ?? ''} ${String(error.cause ?? '')}`;
    expect(everything).not.toContain('hunter2');
  });

  it.each([
    ['an undefined variable', 'a\n{{hunter2}}\n'],
    ['a helper failure', 'a\n{{env "HUNTER2"}}\n'],
  ])('withholds everything but the line for %s in a secret template', (_what, text) => {
    const error = thrown(() => renderTemplate(text, data(), { name: 'token.tmpl', env: {}, secret: true }));
    expect(error.located).toMatch(/^token\.tmpl(:2)?: template error \(details withheld: the template may hold a secret\)$/);
    expect(JSON.stringify([error.message, error.hint, String(error.cause)]).toLowerCase()).not.toContain('hunter2');
  });

  it('renders any text without braces unchanged, and the same input always the same way', () => {
    const text = fc.string().filter((s) => !s.includes('{') && !s.includes('\\'));
    fc.assert(
      fc.property(text, fc.string(), (template, value) => {
        const once = renderTemplate(`${template}{{v}}`, data({ v: value }), { name: 't' });
        return once === template + value && once === renderTemplate(`${template}{{v}}`, data({ v: value }), { name: 't' });
      }),
    );
  });
});
