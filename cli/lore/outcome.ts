import path from 'node:path';
import { errorMessage, type Graph, type RecordedRunResult } from '../../src/index.js';
import { EXIT, exitCodeForSignal } from '../exit-codes.js';
import type { Output } from '../output.js';
import { JSON_FORMAT_VERSION } from '../receipts/common.js';
import { seconds } from './common.js';

/** What {@link printRunOutcome} reports on. */
export interface RunOutcome {
  /** `installed` or `removed`. */
  readonly verb: 'installed' | 'removed';
  readonly result: RecordedRunResult;
  readonly elapsedMs: number;
}

/** The JSON summary of a finished lore run (`--json`). */
export function runJson(outcome: RunOutcome): Record<string, unknown> {
  const graph = outcome.result.receipt.graph;
  return {
    version: JSON_FORMAT_VERSION,
    state: graph.state,
    receipt: outcome.result.receipt.path,
    prefix: graph.context.prefix ?? null,
    packages: graph.context.packages ?? [],
    duration_ms: Math.round(outcome.elapsedMs),
    phases: (graph.phases ?? []).map((phase) => ({ id: phase.id, status: phase.status, attempts: phase.attempts?.length ?? 0 })),
    rollback: graph.rollback ?? [],
    errors: outcome.result.report.errors.map(errorMessage),
    summary: graph.summary ?? null,
  };
}

/**
 * Prints the summary of a run (or its JSON) and returns the exit code: 0 executed, 1 rolled
 * back (130/143 when SIGINT/SIGTERM cancelled it), 5 when something could not be undone.
 */
export function printRunOutcome(out: Output, outcome: RunOutcome): number {
  const { result } = outcome;
  const graph = result.receipt.graph;
  if (out.isJson) out.json(runJson(outcome));
  else if (graph.state === 'executed') printSuccess(out, outcome);
  else printFailure(out, outcome);
  switch (graph.state) {
    case 'executed':
      return EXIT.ok;
    case 'rolled_back':
      return result.cancelledBy === undefined ? EXIT.runFailed : exitCodeForSignal(result.cancelledBy);
    case 'failed':
      return EXIT.runFailed;
    case 'interrupted':
    case 'pending':
      return EXIT.rollbackIncomplete;
    default:
      return graph.state satisfies never;
  }
}

function packagesText(graph: Graph): string {
  return (graph.context.packages ?? []).map((ref) => ref.replace(/@([^@]*)$/, ' $1')).join(', ');
}

function printSuccess(out: Output, { verb, result, elapsedMs }: RunOutcome): void {
  const graph = result.receipt.graph;
  const preposition = verb === 'installed' ? 'into' : 'from';
  const where = graph.context.prefix === undefined ? '' : ` ${preposition} ${graph.context.prefix}`;
  out.line(`${verb} ${packagesText(graph)}${where} in ${seconds(elapsedMs)} — receipt ${path.basename(result.receipt.path)}`, true);
}

function printFailure(out: Output, { verb, result }: RunOutcome): void {
  const graph = result.receipt.graph;
  const failed = (graph.phases ?? []).find((phase) => phase.status === 'failed');
  const what = failed === undefined ? 'the run failed' : `${failed.id} failed`;
  out.line(`${out.paint('red', 'not ' + verb)}: ${what}; ${graph.state === 'rolled_back' ? 'rolled back' : `state ${graph.state}`}`, true);
  for (const error of result.report.errors) out.line(`  ${errorMessage(error)}`, true);
  if ((graph.rollback ?? []).length > 0) {
    out.line('rollback:', true);
    for (const entry of graph.rollback ?? []) {
      const extra = entry.status === 'failed' && entry.error !== undefined ? `: ${entry.error}` : '';
      out.line(`  ${entry.phase}  ${entry.status}${extra}`, true);
    }
  }
  out.line(`receipt ${path.basename(result.receipt.path)}`, true);
  if (graph.state === 'interrupted') out.note("rollback incomplete: once the cause is fixed, 'lore recover' finishes it");
}
