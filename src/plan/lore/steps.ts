import { WritLoreError } from '../../graph/index.js';
import type { JsonObject } from '../../graph/index.js';
import type { NodeHandle } from '../handles.js';
import type { Plan } from '../plan.js';
import type { Confinement, PathUse } from './confine.js';
import { confinePath } from './confine.js';
import { interpolate } from './interpolate.js';
import type { StepAction, StepSpec } from './manifest-schema.js';

/** What translating one step needs to know about its package. */
export interface StepScope {
  readonly plan: Plan;
  readonly file: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly confinement: Confinement;
  /** The package's chosen source, for `download` steps that name no url. */
  readonly source?: { readonly url: string; readonly sha256: string };
  /** Resolves a relative source URL against the registry. */
  readonly resolveUrl: (url: string) => string;
  /**
   * Where `exec` steps run unless they say: the package dir for forward steps, `/` for
   * compensation steps (they run after the forward nodes were undone, so the dir is gone).
   */
  readonly defaultCwd: string;
  /** Environment every `exec` step gets (LORE_PREFIX, LORE_PACKAGE_DIR…). */
  readonly env: Readonly<Record<string, string>>;
  /** What `render` templates see: name, version, prefix, platform.{os,arch}, settings, features (typed). */
  readonly templateData: JsonObject;
  /** Project and annotations of every node. */
  readonly project: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The undo of an exec step with `effects: none`. */
const NO_OP = ['/bin/sh', '-c', ':'] as const;

/** Reads a step's strings: interpolation, then confinement for paths. */
class StepReader {
  readonly #scope: StepScope;
  readonly #step: StepSpec;

  constructor(scope: StepScope, step: StepSpec) {
    this.#scope = scope;
    this.#step = step;
  }

  text(value: string, field: string): string {
    return interpolate(value, this.#scope.variables, this.#site(field));
  }

  path(value: string, field: string, use: PathUse): string {
    return confinePath(this.text(value, field), use, this.#scope.confinement, this.#site(field));
  }

  list(values: readonly string[], field: string): string[] {
    return values.map((value, index) => this.text(value, `${field}[${index}]`));
  }

  fail(message: string): never {
    throw new WritLoreError('invalid-input', `step "${this.#step.action.kind}" ${message}`, { path: this.#scope.file, line: this.#step.line });
  }

  #site(field: string): { file: string; line: number; what: string } {
    return { file: this.#scope.file, line: this.#step.line, what: `step "${this.#step.action.kind}" ${field}` };
  }
}

/**
 * Adds the nodes of one step to the plan (in the phase currently open) and returns them in
 * order: one node per step, two for `render` (render, then copy of its bytes).
 */
export function addStep(scope: StepScope, step: StepSpec, id: string): NodeHandle[] {
  const read = new StepReader(scope, step);
  const plan = scope.plan;
  const at = `${scope.file}:${step.line}`;
  const options = (suffix: string): { id: string; project: string; annotations: Record<string, string> } => ({
    id: `${id}.${suffix}`,
    project: scope.project,
    annotations: { ...scope.annotations, 'lore.step': at },
  });
  const action: StepAction = step.action;
  switch (action.kind) {
    case 'download': {
      const { url, sha256 } = downloadSource(scope, read, action);
      return [plan.download(url, read.path(action.to, 'to', 'write'), { sha256, ...options('download') })];
    }
    case 'extract': {
      const archive = read.path(action.archive, 'archive', 'read');
      const to = read.path(action.to, 'to', 'write');
      return [plan.extract(archive, to, { ...(action.strip === undefined ? {} : { strip: action.strip }), ...options('extract') })];
    }
    case 'link':
      return [plan.link(read.path(action.source, 'source', 'read'), read.path(action.target, 'target', 'write'), options('link'))];
    case 'copy': {
      const mode = action.mode === undefined ? {} : { mode: action.mode };
      return [plan.copy(read.path(action.source, 'source', 'read'), read.path(action.to, 'to', 'write'), { as: 'source', ...mode, ...options('copy') })];
    }
    case 'write': {
      const mode = action.mode === undefined ? {} : { mode: action.mode };
      return [plan.write(read.path(action.to, 'to', 'write'), read.text(action.content, 'content'), { ...mode, ...options('write') })];
    }
    case 'render': {
      const template = read.path(action.template, 'template', 'read');
      const to = read.path(action.to, 'to', 'write');
      const rendered = plan.render(template, { as: 'source', variables: scope.templateData, ...options('render') });
      const mode = action.mode === undefined ? {} : { mode: action.mode };
      return [rendered, plan.copy(rendered, to, { as: 'content', ...mode, ...options('copy') })];
    }
    case 'exec':
      return [addExec(scope, read, action, options('exec'))];
    case 'pkg':
      return [plan.install(action.manager, read.list(action.packages, 'packages'), options('pkg'))];
    default:
      return action satisfies never;
  }
}

function downloadSource(
  scope: StepScope,
  read: StepReader,
  action: Extract<StepAction, { kind: 'download' }>,
): { url: string; sha256: string } {
  if (action.url === undefined) {
    if (scope.source === undefined) read.fail('names no url and the package has no source for this platform');
    if (action.sha256 !== undefined) read.fail('gives a sha256 without a url');
    return scope.source;
  }
  const sha256 = action.sha256 === undefined ? undefined : read.text(action.sha256, 'sha256');
  if (sha256 === undefined) read.fail('with a url needs a sha256');
  if (!/^(sha256:)?[0-9a-f]{64}$/.test(sha256)) read.fail(`sha256 "${sha256}" is not 64 lowercase hex digits (optionally "sha256:")`);
  return { url: scope.resolveUrl(read.text(action.url, 'url')), sha256 };
}

function addExec(
  scope: StepScope,
  read: StepReader,
  action: Extract<StepAction, { kind: 'exec' }>,
  options: { id: string; project: string; annotations: Record<string, string> },
): NodeHandle {
  const env = { ...scope.env, ...Object.fromEntries(Object.entries(action.env ?? {}).map(([k, v]) => [k, read.text(v, `env.${k}`)])) };
  const cwd = action.cwd === undefined ? scope.defaultCwd : read.path(action.cwd, 'cwd', 'read');
  const creates = action.creates?.map((path, index) => read.path(path, `creates[${index}]`, 'write'));
  // A check changes nothing: its undo is the shell's no-op, so a rollback need not report it.
  const undo = action.effects === 'none' ? [...NO_OP] : action.undo === undefined ? undefined : read.list(action.undo, 'undo');
  const run = action.command === undefined ? read.list(action.argv ?? [], 'argv') : read.text(action.command, 'command');
  return scope.plan.exec(run, {
    cwd,
    env,
    ...(creates === undefined ? {} : { creates }),
    ...(undo === undefined ? {} : { undo }),
    ...(action.timeout === undefined ? {} : { timeout: action.timeout }),
    as: action.command === undefined ? 'argv' : 'command',
    ...options,
  });
}
