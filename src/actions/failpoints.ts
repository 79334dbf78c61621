import { constants as osConstants } from 'node:os';
import { readFile } from 'node:fs/promises';
import { WritLoreError, type JsonValue } from '../graph/index.js';
import type { Action, ActionContext, ActionOutput, ProbeContext, ProbeOutcome, ResolvedSlots } from './types.js';

/*
 * Fault injection for tests. With WRITLORE_FAILPOINTS unset (always, outside tests) the
 * registry hands out every action exactly as registered: one environment lookup per
 * registration, nothing per call. With it set, matching actions are wrapped so that a test
 * can make a chosen call fail, throw, hang, stop at a FIFO, or raise an errno, and then check
 * that the run rolls back (or that `recover` finishes it) and the disk is as before.
 */

/** The environment variable that arms failpoints (test-only; see docs/guide.md). */
export const FAILPOINTS_ENV = 'WRITLORE_FAILPOINTS';

/**
 * Where in an action call a failpoint fires: `do` before `do` starts; `registered` inside `do`,
 * right after its undo state is journalled (before the destructive step it protects); `done`
 * after `do` returned (its undo state is registered first, as if the action failed at its very
 * end); `undo` before `undo` starts; `probe` before a preflight probe starts (under the run
 * lock, before anything changes).
 */
export const FAILPOINT_STAGES = ['do', 'registered', 'done', 'undo', 'probe'] as const;

/** One of {@link FAILPOINT_STAGES}. */
export type FailpointStage = (typeof FAILPOINT_STAGES)[number];

/** What a failpoint does when it fires. */
export type FailpointEffect =
  /** Throws a `WritLoreError` with code `action-failed` (an ordinary action failure). */
  | { readonly kind: 'fail' }
  /** Throws a plain `Error` (a bug in an action). */
  | { readonly kind: 'throw' }
  /** Waits until the call's signal aborts (then throws its reason), or forever: kill the process. */
  | { readonly kind: 'hang' }
  /** Reads the FIFO `fifo` to its end, then goes on: a test holds the run there while it acts. */
  | { readonly kind: 'gate'; readonly fifo: string }
  /** Throws a Node system error with `code` (ENOSPC, EACCES, EROFS, …) as a failed syscall would. */
  | { readonly kind: 'errno'; readonly code: string };

/** One parsed failpoint: which calls it matches and what it does. */
export interface Failpoint {
  readonly stage: FailpointStage;
  /** Action name, or a prefix ending in `*` (`file.*`); absent: any action. */
  readonly action?: string;
  /** Exact node id; absent: any node. */
  readonly node?: string;
  /** Fire only on the nth matching call (1-based, counted per failpoint); absent: every call. */
  readonly nth?: number;
  readonly effect: FailpointEffect;
}

const KEYS = ['at', 'action', 'node', 'nth', 'effect', 'fifo'] as const;

/**
 * Parses a failpoint list: rules separated by `;`, each a comma-separated list of `key=value`
 * fields — `at` (a {@link FailpointStage}, default `do`), `action`, `node`, `nth`, `effect`
 * (`fail`, `throw`, `hang`, `gate` with `fifo=PATH`, or an errno name such as `ENOSPC`).
 *
 * @example
 * parseFailpoints('at=registered,action=file.link,nth=2,effect=hang');
 */
export function parseFailpoints(text: string): Failpoint[] {
  return text
    .split(';')
    .map((rule) => rule.trim())
    .filter((rule) => rule !== '')
    .map(parseRule);
}

function parseRule(rule: string): Failpoint {
  const fields = new Map<string, string>();
  for (const field of rule.split(',')) {
    const index = field.indexOf('=');
    const key = field.slice(0, index).trim();
    if (index <= 0 || !(KEYS as readonly string[]).includes(key)) {
      throw invalid(rule, `"${field}" is not one of ${KEYS.map((name) => `${name}=…`).join(', ')}`);
    }
    fields.set(key, field.slice(index + 1).trim());
  }
  const stage = fields.get('at') ?? 'do';
  const found = FAILPOINT_STAGES.find((name) => name === stage);
  if (found === undefined) throw invalid(rule, `at=${stage} is not one of ${FAILPOINT_STAGES.join(', ')}`);
  const nth = fields.get('nth');
  if (nth !== undefined && !/^[1-9]\d*$/.test(nth)) throw invalid(rule, `nth=${nth} is not a whole number ≥ 1`);
  const action = fields.get('action');
  const node = fields.get('node');
  return {
    stage: found,
    ...(action === undefined ? {} : { action }),
    ...(node === undefined ? {} : { node }),
    ...(nth === undefined ? {} : { nth: Number(nth) }),
    effect: parseEffect(rule, fields.get('effect'), fields.get('fifo')),
  };
}

function parseEffect(rule: string, effect: string | undefined, fifo: string | undefined): FailpointEffect {
  switch (effect) {
    case 'fail':
    case 'throw':
    case 'hang':
      return { kind: effect };
    case 'gate':
      if (fifo === undefined || fifo === '') throw invalid(rule, 'effect=gate needs fifo=PATH');
      return { kind: 'gate', fifo };
    case undefined:
      throw invalid(rule, 'effect= is missing');
    default:
      if (/^E[A-Z0-9]+$/.test(effect) && effect in osConstants.errno) return { kind: 'errno', code: effect };
      throw invalid(rule, `effect=${effect} is not fail, throw, hang, gate or an errno name such as ENOSPC`);
  }
}

function invalid(rule: string, why: string): WritLoreError {
  return new WritLoreError('invalid-input', `${FAILPOINTS_ENV}: "${rule}": ${why}`, {
    hint: 'e.g. WRITLORE_FAILPOINTS="at=do,action=file.link,nth=2,effect=fail" (a test-only setting)',
  });
}

let cached: { readonly text: string; readonly armed: ArmedFailpoint[] } | undefined;

/** A failpoint with its own call counter (shared by every action it wraps). */
export interface ArmedFailpoint {
  readonly point: Failpoint;
  calls: number;
}

/**
 * `action` wrapped with the failpoints of `WRITLORE_FAILPOINTS` that may match it; `action`
 * itself when the variable is unset or none can match. Called by the registry on registration.
 */
export function withFailpoints(action: Action, env: Readonly<Record<string, string | undefined>> = process.env): Action {
  const text = env[FAILPOINTS_ENV];
  if (text === undefined || text === '') return action;
  if (cached?.text !== text) cached = { text, armed: parseFailpoints(text).map((point) => ({ point, calls: 0 })) };
  const armed = cached.armed.filter(({ point }) => matchesAction(point, action.name));
  return armed.length === 0 ? action : armAction(action, armed);
}

function matchesAction(point: Failpoint, name: string): boolean {
  if (point.action === undefined) return true;
  return point.action.endsWith('*') ? name.startsWith(point.action.slice(0, -1)) : name === point.action;
}

/** Wraps `do`, `undo` and `probe` of `action` so that `armed` failpoints fire at their stage. */
export function armAction(action: Action, armed: readonly ArmedFailpoint[]): Action {
  const fire = (stage: FailpointStage, ctx: FiringContext): Promise<void> => fireAt(armed, stage, action.name, ctx);
  const probe = action.probe;
  const wrapped: Action = {
    ...action,
    ...(probe === undefined
      ? {}
      : {
          async probe(ctx: ProbeContext, slots: ResolvedSlots): Promise<ProbeOutcome> {
            await fire('probe', ctx);
            return probe.call(action, ctx, slots);
          },
        }),
    async do(ctx: ActionContext, slots: ResolvedSlots): Promise<ActionOutput> {
      await fire('do', ctx);
      const output = await action.do(hasStage(armed, 'registered') ? firingOnRegister(ctx, fire) : ctx, slots);
      if (hasStage(armed, 'done')) {
        if (output.undo !== undefined) await ctx.registerUndo(output.undo);
        await fire('done', ctx);
      }
      return output;
    },
  };
  const undo = action.undo;
  if (undo === undefined) return wrapped;
  return {
    ...wrapped,
    async undo(ctx: ActionContext, state: JsonValue): Promise<void> {
      await fire('undo', ctx);
      await undo.call(action, ctx, state);
    },
  };
}

/**
 * `ctx` whose `registerUndo` fires the `registered` stage once the state is journalled. A
 * Proxy, not a spread: the executor's contexts are class instances with getters.
 */
function firingOnRegister(ctx: ActionContext, fire: (stage: FailpointStage, ctx: FiringContext) => Promise<void>): ActionContext {
  const registerUndo = async (state: JsonValue): Promise<void> => {
    await ctx.registerUndo(state);
    await fire('registered', ctx);
  };
  return new Proxy(ctx, {
    get(target, property) {
      if (property === 'registerUndo') return registerUndo;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** An armed failpoint for {@link armAction}, with its call counter at zero (for unit tests). */
export function armFailpoint(point: Failpoint): ArmedFailpoint {
  return { point, calls: 0 };
}

function hasStage(armed: readonly ArmedFailpoint[], stage: FailpointStage): boolean {
  return armed.some(({ point }) => point.stage === stage);
}

/** What a failpoint needs of the call it fires in (a step's context or a probe's). */
type FiringContext = Pick<ProbeContext, 'nodeId' | 'signal'>;

async function fireAt(armed: readonly ArmedFailpoint[], stage: FailpointStage, name: string, ctx: FiringContext): Promise<void> {
  for (const entry of armed) {
    const { point } = entry;
    if (point.stage !== stage || (point.node !== undefined && point.node !== ctx.nodeId)) continue;
    entry.calls += 1;
    if (point.nth !== undefined && point.nth !== entry.calls) continue;
    await trigger(point.effect, `failpoint ${stage} ${name} on ${ctx.nodeId} (call ${entry.calls})`, ctx.signal);
  }
}

async function trigger(effect: FailpointEffect, where: string, signal: AbortSignal): Promise<void> {
  switch (effect.kind) {
    case 'fail':
      throw new WritLoreError('action-failed', `${where}: failed on purpose (${FAILPOINTS_ENV})`);
    case 'throw':
      throw new Error(`${where}: threw on purpose (${FAILPOINTS_ENV})`);
    case 'hang':
      return hang(signal);
    case 'gate':
      // Blocks until a writer opens the FIFO and closes it: the test knows the run is here
      // when its open() returns, and lets it go on by closing.
      await readFile(effect.fifo);
      return;
    case 'errno':
      throw systemError(effect.code, where);
    default:
      return effect satisfies never;
  }
}

function hang(signal: AbortSignal): Promise<void> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    // A pending promise alone does not keep the process alive: the timer does, until the abort.
    // An undo's signal never aborts, so a hanging undo waits for SIGKILL (then `recover`).
    const timer = setInterval(() => undefined, 1 << 30);
    signal.addEventListener('abort', () => {
      clearInterval(timer);
      reject(abortReason(signal));
    }, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new WritLoreError('cancelled', 'the run was cancelled');
}

function systemError(code: string, where: string): NodeJS.ErrnoException {
  const errno = (osConstants.errno as Readonly<Record<string, number>>)[code] ?? 0;
  const error: NodeJS.ErrnoException = new Error(`${code}: ${where} (${FAILPOINTS_ENV})`);
  error.code = code;
  error.errno = -errno;
  error.syscall = 'write';
  return error;
}
