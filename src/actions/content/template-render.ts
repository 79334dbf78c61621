import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WritLoreError } from '../../graph/index.js';
import { runEnvironment, templateDataFrom } from '../host-facts.js';
import { optionalBytes, optionalObject, optionalString } from '../slot-values.js';
import type { Action, ActionOutput, ProbeContext, ProbeOutcome, ResolvedSlots } from '../types.js';
import { renderTemplate } from './render.js';

/** A template ready to render: its text, a name for messages and the digest of its bytes. */
interface LoadedTemplate {
  readonly name: string;
  readonly text: string;
  readonly digest: string;
  /** Handed on as bytes (usually by `secret.decrypt`): treated as secret in messages. */
  readonly secret: boolean;
}

/** What a render produced. */
interface Rendered {
  readonly bytes: Buffer;
  readonly sourceDigest: string;
  readonly digest: string;
}

/**
 * `template.render`: renders a Handlebars template (from `source`, a path, or `content`, text or
 * bytes — often a decrypted secret) with the run's variables, segments and host facts plus the
 * node's `variables`. Pure: the result is the rendered bytes; nothing is written or undone.
 */
export const templateRender: Action = {
  name: 'template.render',
  spec: { required: [], optional: ['source', 'content', 'variables'] },

  async do(ctx, slots): Promise<ActionOutput> {
    const rendered = await render(ctx, slots);
    ctx.log.info(`rendered template (${rendered.bytes.length} bytes, ${rendered.digest})`);
    return { result: rendered.bytes, digests: { source: rendered.sourceDigest, target: rendered.digest } };
  },

  async probe(ctx, slots): Promise<ProbeOutcome> {
    const rendered = await render(ctx, slots);
    return { kind: 'create', detail: rendered.digest };
  },
};

async function render(ctx: ProbeContext, slots: ResolvedSlots): Promise<Rendered> {
  const template = await loadTemplate(ctx.nodeId, slots);
  const variables = optionalObject(slots, 'variables', ctx.nodeId) ?? {};
  const text = renderTemplate(template.text, templateDataFrom(ctx.data, variables), {
    name: template.name,
    env: runEnvironment(ctx.data),
    secret: template.secret,
  });
  const bytes = Buffer.from(text, 'utf8');
  return { bytes, sourceDigest: template.digest, digest: sha256(bytes) };
}

async function loadTemplate(nodeId: string, slots: ResolvedSlots): Promise<LoadedTemplate> {
  const source = optionalString(slots, 'source', nodeId);
  const content = optionalBytes(slots, 'content', nodeId);
  if ((source === undefined) === (content === undefined)) {
    throw new WritLoreError(
      'invalid-slot',
      `node "${nodeId}": template.render needs exactly one of the slots "source" and "content"`,
    );
  }
  const name = source ?? `node ${nodeId}`;
  const bytes = content ?? (await readTemplateFile(source ?? ''));
  const secret = slots.content instanceof Uint8Array;
  return { name, text: decodeUtf8(bytes, name), digest: sha256(bytes), secret };
}

async function readTemplateFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WritLoreError(code === 'ENOENT' ? 'not-found' : 'action-failed', `cannot read template: ${code ?? 'error'}`, {
      path,
      cause: error,
    });
  }
}

function decodeUtf8(bytes: Buffer, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new WritLoreError('action-failed', 'template is not UTF-8 text', { path: name, cause: error });
  }
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
