import { availableParallelism } from 'node:os';
import type { ActionCatalog, Graph, GraphState, Phase } from '../graph/index.js';
import { WritLoreError, assertValidGraph, computeSummary } from '../graph/index.js';
import { systemClock } from './clock.js';
import { planGraph, type DryRunReport } from './dry-run.js';
import { edgeIndex, type RunEnv, type Scope } from './env.js';
import { rollbackFlat, runFlat } from './flat.js';
import { HookRunner } from './hooks.js';
import { RunLedger } from './ledger.js';
import { RecoveryStack } from './recovery-stack.js';
import { rollbackSaga } from './rollback.js';
import { phaseFailed, runForward } from './saga.js';
import { rollbackIncomplete } from './compensator.js';
import { blockedBy } from './scheduler.js';
import type { ActionSource, ExecutorOptions, FailurePolicy, RunReport } from './types.js';

/**
 * Nodes skipped before the run never run, and neither does anything that depends on them: those
 * are skipped now, naming the skipped node they wait for.
 */
function skipDependentsOfSkipped(env: RunEnv, graph: Graph): void {
  const skipped = graph.nodes.filter((node) => node.status === 'skipped').map((node) => node.id);
  if (skipped.length === 0) return;
  for (const [id, origin] of blockedBy(skipped, graph.nodes, graph.edges)) {
    const node = env.ledger.node(id);
    if (node.status === 'pending') env.ledger.markSkipped(node, `skipped: depends on skipped node "${origin}"`);
  }
}

/** How the forward part of a run ended, before the final state is decided. */
interface Ending {
  readonly failed: boolean;
  readonly cancelled: boolean;
  readonly rolledBack: boolean;
}

/**
 * Runs a plan and turns it into its receipt: flat graphs with bounded concurrency and a
 * failure policy, phased graphs as a saga (retries, compensation phases, rollback entries).
 *
 * @example
 * const executor = new GraphExecutor(createDefaultRegistry(providers), { backups, jobs: 4 });
 * const report = await executor.run(plan);
 * if (report.state !== 'executed') console.error(report.errors.map(String).join('\n'));
 */
export class GraphExecutor {
  private readonly actions: ActionSource;
  private readonly options: ExecutorOptions;

  constructor(actions: ActionSource, options: ExecutorOptions) {
    this.actions = actions;
    this.options = options;
  }

  /**
   * Runs `graph` (which must be `pending` and valid) and fills it in as the receipt. An action
   * failure does not throw: it is in the report. Throws `invalid-input` / `invalid-graph` for
   * misuse.
   */
  async run(graph: Graph): Promise<RunReport> {
    this.check(graph);
    const env = this.environment(graph);
    const scope: Scope = { results: new Map(), stack: new RecoveryStack(), signal: env.signal, failures: new Map() };
    await env.hooks.emit('onRunStart', { graph });
    skipDependentsOfSkipped(env, graph);
    const forward = forwardPhases(graph);
    const ending = forward === undefined ? await this.flat(env, scope, graph) : await this.saga(env, scope, forward);
    const state = this.finish(env, ending);
    graph.summary = computeSummary(graph);
    await env.hooks.emit('onRunEnd', { graph, state });
    return { graph, state, diagnostics: env.ledger.diagnostics, errors: env.ledger.errors };
  }

  /** Predicts what `run` would do to every node, calling only read-only `probe`s. */
  plan(graph: Graph): Promise<DryRunReport> {
    this.check(graph);
    const options = this.options;
    return planGraph(graph, {
      actions: this.actions,
      clock: options.clock ?? systemClock,
      data: options.data ?? {},
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
  }

  private get policy(): FailurePolicy {
    return this.options.policy ?? 'rollback';
  }

  private check(graph: Graph): void {
    if (graph.state !== 'pending') {
      throw new WritLoreError('invalid-input', `graph already ran (state: ${graph.state}); a receipt is never run again`, {
        hint: 'build a new plan to run it again',
      });
    }
    // A node may be skipped before the run (a preflight `skip` resolution); nothing else.
    const busy = graph.nodes.find((node) => node.status !== 'pending' && node.status !== 'skipped');
    if (busy !== undefined) {
      throw new WritLoreError('invalid-input', `node "${busy.id}" is ${busy.status} in a pending graph`);
    }
    if (this.options.validation === 'validated-by-plan') return; // validated once, by Plan.graph()
    assertValidGraph(graph, { catalog: catalogOf(this.actions), provided: Object.keys(this.options.data ?? {}) });
  }

  private environment(graph: Graph): RunEnv {
    const options = this.options;
    const clock = options.clock ?? systemClock;
    const bodies = new Set((graph.phases ?? []).filter((phase) => phase.role === 'body').map((phase) => phase.id));
    const ledger = new RunLedger(graph, clock, bodies);
    return {
      ledger,
      hooks: new HookRunner(options.hooks ?? [], (diagnostic) => ledger.report(diagnostic)),
      actions: this.actions,
      clock,
      data: options.data ?? {},
      backups: options.backups,
      log: options.log,
      memo: options.memo,
      jobs: Math.max(1, Math.floor(options.jobs ?? availableParallelism())),
      random: options.random ?? Math.random,
      signal: options.signal ?? new AbortController().signal,
      undoSignal: options.compensationSignal ?? new AbortController().signal,
      edgesOf: edgeIndex(graph.edges, (node) => ledger.node(node).phase),
    };
  }

  private async flat(env: RunEnv, scope: Scope, graph: Graph): Promise<Ending> {
    const outcome = await runFlat(env, scope, graph, this.policy);
    for (const id of outcome.failed) {
      env.ledger.fail(new WritLoreError('action-failed', `node "${id}" failed: ${env.ledger.node(id).error ?? ''}`));
    }
    const failed = outcome.failed.length > 0;
    const rollBack = outcome.cancelled || (failed && this.policy === 'rollback');
    if (rollBack) await rollbackFlat(env, scope);
    return { failed, cancelled: outcome.cancelled, rolledBack: rollBack };
  }

  private async saga(env: RunEnv, scope: Scope, phases: readonly Phase[]): Promise<Ending> {
    const outcome = await runForward(env, scope, phases);
    const cancelled = outcome.result === 'cancelled' || env.signal.aborted;
    const failed = outcome.result === 'failed';
    if (failed && outcome.stoppedAt !== undefined) env.ledger.fail(phaseFailed(outcome.stoppedAt));
    const rollBack = cancelled || (failed && this.policy === 'rollback');
    if (rollBack) await rollbackSaga(env, scope, outcome);
    return { failed, cancelled, rolledBack: rollBack };
  }

  private finish(env: RunEnv, ending: Ending): GraphState {
    const { ledger } = env;
    if (ending.cancelled) {
      ledger.report({ kind: 'cancelled', message: 'the run was cancelled; completed work was compensated' });
      ledger.fail(new WritLoreError('cancelled', 'the run was cancelled'));
    }
    if (ledger.undoFailures.length > 0) ledger.fail(rollbackIncomplete(ledger.undoFailures));
    const state = decideState(ending, ledger.undoFailures.length === 0);
    ledger.finish(state);
    return state;
  }
}

function decideState(ending: Ending, rollbackComplete: boolean): GraphState {
  if (ending.rolledBack) return rollbackComplete ? 'rolled_back' : 'interrupted';
  return ending.failed ? 'failed' : 'executed';
}

/** The forward phases of a phased graph in order, or undefined for a flat graph. */
function forwardPhases(graph: Graph): Phase[] | undefined {
  const phases = graph.phases ?? [];
  if (phases.length === 0) return undefined;
  return phases.filter((phase) => (phase.role ?? 'forward') === 'forward');
}

/** Action specs for validation, from whatever the action source offers. */
function catalogOf(actions: ActionSource): ActionCatalog {
  return {
    spec: (name) => {
      if (actions.spec !== undefined) return actions.spec(name);
      if (actions.has !== undefined && !actions.has(name)) return undefined;
      return actions.get(name)?.spec;
    },
  };
}
