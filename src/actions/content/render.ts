import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';
import { WritLoreError, type ErrorDetails } from '../../graph/index.js';
import type { Environment, TemplateData } from '../host-facts.js';
import { SCOPE_KEY, TEMPLATE_HELPERS, type HelperScope } from './helpers.js';

/** How {@link renderTemplate} names and feeds a template. */
export interface RenderOptions {
  /** What errors call the template (its source path, or `node <id>`). */
  readonly name: string;
  /** Read by the `env` helper. Default `process.env`. */
  readonly env?: Environment;
  /**
   * The template may be secret (e.g. decrypted content): errors then give only the line, never
   * a name or message taken from the template's text. Default `false`.
   */
  readonly secret?: boolean;
}

let engine: typeof HandlebarsModule | undefined;

/**
 * One isolated Handlebars environment, so our helpers never leak into (or from) the global one.
 * Loaded on first use: a run of plain links should not pay for compiling Handlebars.
 */
function engineOf(): typeof HandlebarsModule {
  if (engine === undefined) {
    const handlebars = createRequire(import.meta.url)('handlebars') as typeof HandlebarsModule;
    engine = handlebars.create();
    engine.registerHelper(TEMPLATE_HELPERS);
  }
  return engine;
}

/** Names a template may not use for its own variables: they hold the run's data. */
const RESERVED = ['variables', 'segments', 'host'] as const;

/**
 * Renders a Handlebars template: strict (an undefined variable is an error naming it), no
 * HTML escaping (these are config files). Variables are at the top level and under
 * `variables`; `segments` and `host` hold the run's segments and host facts. Pure.
 */
export function renderTemplate(text: string, data: TemplateData, options: RenderOptions): string {
  const context: Record<string, unknown> = { ...data.variables };
  for (const name of RESERVED) context[name] = data[name];
  const scope: HelperScope = { env: options.env ?? process.env, host: data.host, segments: data.segments };
  try {
    const template = engineOf().compile(text, { strict: true, noEscape: true });
    return template(context, { data: { [SCOPE_KEY]: scope } });
  } catch (error) {
    const explained = explain(error, options.name, Object.keys(data.variables));
    throw options.secret === true ? withheld(explained, options.name) : explained;
  }
}

/** The same failure without anything the template's text could have put in the message. */
function withheld(error: WritLoreError, name: string): WritLoreError {
  return new WritLoreError(error.code, 'template error (details withheld: the template may hold a secret)', {
    path: name,
    ...(error.line === undefined ? {} : { line: error.line }),
    hint: 'render the decrypted template locally to see the problem',
  });
}

const UNDEFINED_VARIABLE = /^"(.+)" not defined in /;
const PARSE_ERROR = /^Parse error on line (\d+):/;

/**
 * Turns a Handlebars failure into a WritLoreError that names the template and line. Parse
 * errors quote the template's text, which may be a decrypted secret: that excerpt is dropped.
 */
function explain(error: unknown, name: string, variableNames: readonly string[]): WritLoreError {
  if (error instanceof WritLoreError) {
    return new WritLoreError(error.code, `in template: ${error.message}`, withHint(name, error.hint, error));
  }
  if (!(error instanceof Error)) return new WritLoreError('internal', `template error: ${String(error)}`, { path: name });
  const line = lineOf(error);
  const undefinedName = UNDEFINED_VARIABLE.exec(error.message)?.[1];
  if (undefinedName !== undefined) {
    const known = variableNames.length === 0 ? 'none' : variableNames.slice(0, 12).join(', ');
    return new WritLoreError('action-failed', `undefined template variable "${undefinedName}"`, {
      path: name,
      ...(line === undefined ? {} : { line }),
      hint: `define it in the variables (known: ${known}) or guard it with {{#if ${undefinedName}}}`,
      cause: error,
    });
  }
  const parse = PARSE_ERROR.exec(error.message);
  if (parse !== null) {
    const expected = error.message.split('\n').find((l) => l.startsWith('Expecting')) ?? 'syntax error';
    return new WritLoreError('action-failed', `template syntax error: ${expected}`, {
      path: name,
      line: Number(parse[1]),
    });
  }
  return new WritLoreError('action-failed', `template error: ${error.message}`, {
    path: name,
    ...(line === undefined ? {} : { line }),
    cause: error,
  });
}

function lineOf(error: Error): number | undefined {
  const line: unknown = (error as { lineNumber?: unknown }).lineNumber;
  return typeof line === 'number' ? line : undefined;
}

function withHint(path: string, hint: string | undefined, cause: unknown): ErrorDetails {
  return hint === undefined ? { path, cause } : { path, hint, cause };
}
