import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentProvider, templateRender } from '../../../src/actions/content/index.js';
import { WritLoreError } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';

const sha256 = (text: string | Buffer): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const RUN_DATA = {
  variables: { email: 'kim@example.org', editor: 'vim' },
  segments: { OS: 'Linux' },
  host: { hostname: 'box', user: 'kim', home: '/home/kim', os: 'linux', arch: 'x64' },
  env: { PAGER: 'less' },
};

const TEMPLATE = [
  '[user]',
  '  email = {{email}}',
  '  editor = {{editor}}',
  '{{#if (segment "OS" "Linux")}}[credential]',
  '  helper = cache',
  '{{/if}}# {{host.user}}@{{host.hostname}} pager={{env "PAGER" "more"}}',
  '',
].join('\n');

const RENDERED = [
  '[user]',
  '  email = kim@example.org',
  '  editor = nano',
  '[credential]',
  '  helper = cache',
  '# kim@box pager=less',
  '',
].join('\n');

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writ-template-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('template.render', () => {
  it('is provided by contentProvider with a spec naming its slots', () => {
    expect(contentProvider.actions).toContain(templateRender);
    expect(templateRender.spec).toEqual({ required: [], optional: ['source', 'content', 'variables'] });
  });

  it('renders a template file with run data and node variables into bytes, recording both digests', async () => {
    const source = join(dir, 'gitconfig.tmpl');
    await writeFile(source, TEMPLATE);
    const ctx = fakeActionContext({ data: RUN_DATA });
    const output = await templateRender.do(ctx, { source, variables: { editor: 'nano' } });
    expect(Buffer.isBuffer(output.result)).toBe(true);
    expect(String(output.result)).toBe(RENDERED);
    expect(output.digests).toEqual({ source: sha256(TEMPLATE), target: sha256(RENDERED) });
    expect(output.undo).toBeUndefined();
    expect(ctx.registered).toEqual([]);
  });

  it('renders content handed on as bytes and never logs the text', async () => {
    const ctx = fakeActionContext({ data: RUN_DATA });
    const output = await templateRender.do(ctx, { content: Buffer.from('token={{email}}-s3cret\n') });
    expect(String(output.result)).toBe('token=kim@example.org-s3cret\n');
    expect(JSON.stringify(ctx.lines)).not.toContain('s3cret');
    expect(ctx.lines).toEqual([{ level: 'info', message: expect.stringContaining(sha256('token=kim@example.org-s3cret\n')) }]);
  });

  it('treats content handed on as bytes as secret in error messages, but not a string immediate', async () => {
    const ctx = fakeActionContext({ nodeId: 'tok', data: RUN_DATA });
    const fromBytes = await templateRender.do(ctx, { content: Buffer.from('x {{s3cret}}') }).catch((e: unknown) => e);
    expect(String(fromBytes)).toBe('node tok:1: template error (details withheld: the template may hold a secret)');
    const fromString = await templateRender.do(ctx, { content: 'x {{visible}}' }).catch((e: unknown) => e);
    expect(String(fromString)).toBe('node tok:1: undefined template variable "visible"');
  });

  it('probes to a create outcome carrying the rendered digest, changing nothing', async () => {
    const source = join(dir, 'gitconfig.tmpl');
    await writeFile(source, TEMPLATE);
    const before = await snapshotTree(dir);
    const outcome = await templateRender.probe?.(fakeActionContext({ data: RUN_DATA }), {
      source,
      variables: { editor: 'nano' },
    });
    expect(outcome).toEqual({ kind: 'create', detail: sha256(RENDERED) });
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it.each([
    ['neither source nor content', {}],
    ['both source and content', { source: '/x', content: 'y' }],
  ])('rejects %s', async (_what, slots) => {
    await expect(templateRender.do(fakeActionContext({ nodeId: 'tpl' }), slots)).rejects.toThrow(
      new WritLoreError('invalid-slot', 'node "tpl": template.render needs exactly one of the slots "source" and "content"'),
    );
  });

  it('rejects variables that are not an object', async () => {
    await expect(templateRender.do(fakeActionContext({ nodeId: 'tpl' }), { content: 'x', variables: [1] })).rejects.toThrow(
      'node "tpl": slot "variables" must be an object, got array',
    );
  });

  it('reports a missing template file as not-found with its path', async () => {
    const source = join(dir, 'missing.tmpl');
    await expect(templateRender.do(fakeActionContext(), { source })).rejects.toMatchObject({ code: 'not-found', path: source });
  });

  it('rejects a template that is not UTF-8', async () => {
    const source = join(dir, 'binary.tmpl');
    await writeFile(source, Buffer.from([0xff, 0xfe, 0x00]));
    await expect(templateRender.do(fakeActionContext(), { source })).rejects.toThrow('template is not UTF-8 text');
  });

  it('names the template file and line of an undefined variable', async () => {
    const source = join(dir, 'bad.tmpl');
    await writeFile(source, 'ok\n{{emial}}\n');
    const error: unknown = await templateRender.do(fakeActionContext({ data: RUN_DATA }), { source }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WritLoreError);
    expect((error as WritLoreError).located).toBe(`${source}:2: undefined template variable "emial"`);
  });
});
