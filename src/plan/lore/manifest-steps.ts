import { isSeq } from '../../graph/codec/lazy-yaml.js';
import { BACKOFF_STRATEGIES, isDuration } from '../../graph/index.js';
import type { BackoffStrategy, RetryPolicy } from '../../graph/index.js';
import { PACKAGE_MANAGERS } from '../../actions/index.js';
import type { ManagerName } from '../../actions/index.js';
import { STEP_KINDS } from './manifest-schema.js';
import { platformNameProblem } from './platform-names.js';
import type { PhaseSpec, SettingValue, StepAction, StepCondition, StepKind, StepSpec } from './manifest-schema.js';
import type { YamlEntry, YamlSource, YamlValue } from './yaml-reader.js';


/** The keys of each step kind: required first, then optional. */
const STEP_KEYS = {
  download: { required: ['to'], optional: ['url', 'sha256'] },
  extract: { required: ['archive', 'to'], optional: ['strip'] },
  link: { required: ['source', 'target'] },
  copy: { required: ['source', 'to'], optional: ['mode'] },
  write: { required: ['content', 'to'], optional: ['mode'] },
  render: { required: ['template', 'to'], optional: ['mode'] },
  exec: { required: [], optional: ['argv', 'command', 'creates', 'undo', 'effects', 'cwd', 'env', 'timeout'] },
  pkg: { required: ['manager', 'packages'] },
} as const satisfies Record<StepKind, { required: readonly string[]; optional?: readonly string[] }>;

const MODE = /^0[0-7]{3}$/;

/** Reads one phase (`{retry?, steps, compensate?}`). */
export function readPhase(src: YamlSource, node: YamlValue, what: string, line: number): PhaseSpec {
  const fields = src.fields(node, what, line, { required: ['steps'], optional: ['retry', 'compensate'] });
  const retry = fields.get('retry');
  const steps = fields.get('steps');
  const compensate = fields.get('compensate');
  return {
    ...(retry === undefined ? {} : { retry: readRetry(src, retry, `${what}.retry`) }),
    steps: steps === undefined ? [] : readSteps(src, steps, `${what}.steps`),
    compensate: compensate === undefined ? [] : readSteps(src, compensate, `${what}.compensate`),
    line: src.lineOf(node, line),
  };
}

function readSteps(src: YamlSource, entry: YamlEntry, what: string): StepSpec[] {
  return src.seq(entry.value, what, entry.line).items.map((item, index) =>
    readStep(src, item as YamlValue, `${what}[${index}]`, entry.line),
  );
}

function readRetry(src: YamlSource, entry: YamlEntry, what: string): RetryPolicy {
  const keys = { required: ['max_attempts'], optional: ['backoff', 'initial_delay', 'max_delay', 'jitter'] };
  const fields = src.fields(entry.value, what, entry.line, keys);
  const value = (key: string): YamlEntry | undefined => fields.get(key);
  const attempts = value('max_attempts');
  const max = attempts === undefined ? 1 : src.scalar(attempts.value, 'number', `${what}.max_attempts`, attempts.line);
  if (!Number.isInteger(max) || max < 1) src.fail(attempts?.line ?? entry.line, `${what}.max_attempts must be a whole number ≥ 1`);
  const backoffEntry = value('backoff');
  const backoff = backoffEntry === undefined ? 'none' : src.scalar(backoffEntry.value, 'string', `${what}.backoff`, backoffEntry.line);
  if (!(BACKOFF_STRATEGIES as readonly string[]).includes(backoff)) {
    src.fail(backoffEntry?.line ?? entry.line, `${what}.backoff must be one of ${BACKOFF_STRATEGIES.join(', ')}`);
  }
  const duration = (key: string): string | undefined => {
    const found = value(key);
    if (found === undefined) return undefined;
    const text = src.scalar(found.value, 'string', `${what}.${key}`, found.line);
    if (!isDuration(text)) src.fail(found.line, `${what}.${key} "${text}" is not a duration`, 'use forms like 500ms, 2s, 1m30s');
    return text;
  };
  const jitterEntry = value('jitter');
  const jitter = jitterEntry === undefined ? undefined : src.scalar(jitterEntry.value, 'number', `${what}.jitter`, jitterEntry.line);
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1)) src.fail(jitterEntry?.line ?? entry.line, `${what}.jitter must be within [0, 1]`);
  const initial = duration('initial_delay');
  const cap = duration('max_delay');
  return {
    max_attempts: max,
    backoff: backoff as BackoffStrategy,
    ...(initial === undefined ? {} : { initial_delay: initial }),
    ...(cap === undefined ? {} : { max_delay: cap }),
    ...(jitter === undefined ? {} : { jitter }),
  };
}

/** Reads one step: a mapping with exactly one action key and an optional `when`. */
function readStep(src: YamlSource, node: YamlValue, what: string, fallback: number): StepSpec {
  const line = src.lineOf(node, fallback);
  const entries = src.entries(src.map(node, what, line), [...STEP_KINDS, 'when'], what);
  const actions = entries.filter((entry) => entry.key !== 'when');
  const first = actions[0];
  if (first === undefined || actions.length > 1) {
    src.fail(line, `${what} must name exactly one action (${STEP_KINDS.join(', ')})`);
  }
  const when = entries.find((entry) => entry.key === 'when');
  return {
    action: readAction(src, first.key as StepKind, first, `step "${first.key}"`),
    ...(when === undefined ? {} : { when: readCondition(src, when, `${what}.when`) }),
    line,
  };
}

/** Reads the arguments of one step, each complaint located at its own line. */
class StepArguments {
  readonly #src: YamlSource;
  readonly #fields: Map<string, YamlEntry>;
  readonly #entry: YamlEntry;
  readonly what: string;

  constructor(src: YamlSource, kind: StepKind, entry: YamlEntry, what: string) {
    this.#src = src;
    this.#entry = entry;
    this.what = what;
    this.#fields = src.fields(entry.value, what, entry.line, STEP_KEYS[kind]);
  }

  get(key: string): YamlEntry | undefined {
    return this.#fields.get(key);
  }

  fail(key: string | undefined, message: string): never {
    const line = key === undefined ? this.#entry.line : (this.#fields.get(key)?.line ?? this.#entry.line);
    return this.#src.fail(line, `${this.what} ${message}`);
  }

  text(key: string): string | undefined {
    const found = this.#fields.get(key);
    return found === undefined ? undefined : this.#src.scalar(found.value, 'string', `${this.what} ${key}`, found.line);
  }

  /** A required argument (`fields` checked presence; this narrows the type). */
  must(key: string): string {
    return this.text(key) ?? this.fail(undefined, `is missing "${key}"`);
  }

  list(key: string): string[] | undefined {
    const found = this.#fields.get(key);
    return found === undefined ? undefined : this.#src.strings(found.value, `${this.what} ${key}`, found.line);
  }

  /** A list of strings, or one string run by `/bin/sh -c`. */
  argv(key: string): string[] | undefined {
    const found = this.#fields.get(key);
    if (found === undefined || isSeq(found.value)) return this.list(key);
    return ['/bin/sh', '-c', this.#src.scalar(found.value, 'string', `${this.what} ${key}`, found.line)];
  }

  count(key: string): number | undefined {
    const found = this.#fields.get(key);
    if (found === undefined) return undefined;
    const value = this.#src.scalar(found.value, 'number', `${this.what} ${key}`, found.line);
    if (!Number.isInteger(value) || value < 0) this.fail(key, `${key} must be a whole number ≥ 0`);
    return value;
  }

  mode(): { mode?: string } {
    const value = this.text('mode');
    if (value !== undefined && !MODE.test(value)) this.fail('mode', `mode "${value}" must be an octal string like "0644"`);
    return value === undefined ? {} : { mode: value };
  }

  strings(key: string): Record<string, string> | undefined {
    const found = this.#fields.get(key);
    if (found === undefined) return undefined;
    const map = this.#src.map(found.value, `${this.what} ${key}`, found.line);
    const entries = this.#src.entries(map, 'any', `${this.what} ${key}`);
    return Object.fromEntries(entries.map((item) => [item.key, this.#src.scalar(item.value, 'string', `${this.what} ${key}.${item.key}`, item.line)]));
  }

  stringOrList(key: string): string[] {
    const found = this.#fields.get(key);
    return found === undefined ? [] : this.#src.stringOrList(found.value, `${this.what} ${key}`, found.line);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}

function readAction(src: YamlSource, kind: StepKind, entry: YamlEntry, what: string): StepAction {
  const args = new StepArguments(src, kind, entry, what);
  switch (kind) {
    case 'download':
      return { kind, to: args.must('to'), ...optional('url', args.text('url')), ...optional('sha256', args.text('sha256')) };
    case 'extract':
      return { kind, archive: args.must('archive'), to: args.must('to'), ...optional('strip', args.count('strip')) };
    case 'link':
      return { kind, source: args.must('source'), target: args.must('target') };
    case 'copy':
      return { kind, source: args.must('source'), to: args.must('to'), ...args.mode() };
    case 'write':
      return { kind, content: args.must('content'), to: args.must('to'), ...args.mode() };
    case 'render':
      return { kind, template: args.must('template'), to: args.must('to'), ...args.mode() };
    case 'exec':
      return readExec(args);
    case 'pkg': {
      const manager = args.must('manager');
      if (!(PACKAGE_MANAGERS as readonly string[]).includes(manager)) {
        args.fail('manager', `manager "${manager}" is not one of ${PACKAGE_MANAGERS.join(', ')}`);
      }
      return { kind, manager: manager as ManagerName, packages: args.stringOrList('packages') };
    }
    default:
      return kind satisfies never;
  }
}

function readExec(args: StepArguments): StepAction {
  const argv = args.list('argv');
  const command = args.text('command');
  if ((argv === undefined) === (command === undefined)) args.fail(undefined, 'needs exactly one of "argv" and "command"');
  if (argv?.length === 0) args.fail('argv', 'argv must not be empty');
  const undo = args.argv('undo');
  if (undo?.length === 0) args.fail('undo', 'undo must not be empty');
  const effects = args.text('effects');
  if (effects !== undefined && effects !== 'none') args.fail('effects', 'effects must be "none" (a check that changes nothing)');
  if (effects !== undefined && undo !== undefined) args.fail(undefined, 'has "effects: none" and an "undo": choose one');
  const timeout = args.text('timeout');
  if (timeout !== undefined && !isDuration(timeout)) args.fail('timeout', `timeout "${timeout}" is not a duration`);
  return {
    kind: 'exec',
    ...optional('argv', argv),
    ...optional('command', command),
    ...optional('creates', args.list('creates')),
    ...optional('undo', undo),
    ...(effects === undefined ? {} : { effects: 'none' as const }),
    ...optional('cwd', args.text('cwd')),
    ...optional('env', args.strings('env')),
    ...optional('timeout', timeout),
  };
}

function readCondition(src: YamlSource, entry: YamlEntry, what: string): StepCondition {
  const f = src.fields(entry.value, what, entry.line, { required: [], optional: ['os', 'arch', 'feature', 'setting'] });
  const list = (key: string): Partial<Record<string, string[]>> => {
    const found = f.get(key);
    if (found === undefined) return {};
    const names = src.stringOrList(found.value, `${what}.${key}`, found.line);
    if (key === 'os' || key === 'arch') {
      for (const name of names) {
        const problem = platformNameProblem(key, name);
        if (problem !== undefined) src.fail(found.line, `${what}.${key}: ${problem}`);
      }
    }
    return { [key]: names };
  };
  const settingEntry = f.get('setting');
  let setting: Record<string, SettingValue> | undefined;
  if (settingEntry !== undefined) {
    const map = src.map(settingEntry.value, `${what}.setting`, settingEntry.line);
    setting = {};
    for (const item of src.entries(map, 'any', `${what}.setting`)) {
      setting[item.key] = src.primitive(item.value, `${what}.setting.${item.key}`, item.line);
    }
  }
  return { ...list('os'), ...list('arch'), ...list('feature'), ...(setting === undefined ? {} : { setting }) };
}
