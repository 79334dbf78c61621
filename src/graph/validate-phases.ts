import { isDuration } from './duration.js';
import type { Node, Phase } from './types.js';
import { BACKOFF_STRATEGIES } from './types.js';
import { phaseOfNode, type GraphIndex } from './validate-index.js';
import type { GraphProblem } from './validate.js';

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `"${id}"`).join(', ');
}

/** The phase of a node of a phased graph, or why it has none / too many. */
function membershipProblem(index: GraphIndex, node: Node): GraphProblem | undefined {
  const listed = index.listedIn.get(node.id) ?? [];
  const nodes = [node.id];
  const declared = node.phase;
  if (listed.length === 0) {
    if (declared === undefined) {
      return { kind: 'node-without-phase', message: `node "${node.id}" belongs to no phase`, nodes };
    }
    if (index.phases.has(declared)) {
      const message = `node "${node.id}" says phase "${declared}" but that phase does not list it`;
      return { kind: 'phase-mismatch', message, nodes, phase: declared };
    }
    const message = `node "${node.id}" names unknown phase "${declared}" and no phase lists it`;
    return { kind: 'node-without-phase', message, nodes, phase: declared };
  }
  if (listed.length > 1) {
    const distinct = [...new Set(listed)];
    const message =
      distinct.length === 1
        ? `phase "${listed[0]}" lists node "${node.id}" ${listed.length} times`
        : `node "${node.id}" is listed in ${distinct.length} phases (${quoted(distinct)}); ` +
          'a node belongs to exactly one';
    return { kind: 'node-in-several-phases', message, nodes };
  }
  const phase = listed[0] ?? '';
  if (declared === phase) return undefined;
  const field = declared === undefined ? 'is unset' : `is "${declared}"`;
  const message = `node "${node.id}" is listed in phase "${phase}" but its phase field ${field}`;
  return { kind: 'phase-mismatch', message, nodes, phase };
}

function checkMembership(index: GraphIndex): GraphProblem[] {
  const problems: GraphProblem[] = [];
  for (const phase of index.phases.values()) {
    for (const id of phase.nodes) {
      if (index.nodes.has(id)) continue;
      const message = `phase "${phase.id}" lists unknown node "${id}"`;
      problems.push({ kind: 'phase-unknown-node', message, nodes: [id], phase: phase.id });
    }
  }
  for (const node of index.nodes.values()) {
    const problem = membershipProblem(index, node);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

function compensateProblem(index: GraphIndex, phase: Phase): string | undefined {
  const target = phase.compensate;
  if (target === undefined) return undefined;
  if ((phase.role ?? 'forward') !== 'forward') {
    const role = phase.role ?? 'forward';
    return `${role} phase "${phase.id}" may not itself be compensated (compensate: "${target}")`;
  }
  const compensation = index.phases.get(target);
  const where = `phase "${phase.id}" compensate names`;
  if (compensation === undefined) return `${where} unknown phase "${target}"`;
  const role = compensation.role ?? 'forward';
  if (role === 'compensation') return undefined;
  return `${where} phase "${target}" whose role is "${role}" (expected "compensation")`;
}

function checkCompensation(index: GraphIndex): GraphProblem[] {
  return [...index.phases.values()].flatMap((phase): GraphProblem[] => {
    const message = compensateProblem(index, phase);
    if (message === undefined) return [];
    return [{ kind: 'invalid-compensate', message, nodes: [], phase: phase.id }];
  });
}

/** A phase named by a flow node's `body`, `else` or `branches[i].phase` slot. */
interface PhaseRef {
  readonly node: Node;
  readonly slot: string;
  readonly phase: string;
}

/** The phase ids a flow node names (immediates only; other values are the action's concern). */
function phaseRefs(node: Node): PhaseRef[] {
  const refs: PhaseRef[] = [];
  for (const slot of ['body', 'else']) {
    const value = node.slots[slot];
    if (value?.kind !== 'immediate' || typeof value.value !== 'string') continue;
    refs.push({ node, slot, phase: value.value });
  }
  const branches = node.slots['branches'];
  if (branches?.kind !== 'immediate' || !Array.isArray(branches.value)) return refs;
  branches.value.forEach((branch: unknown, i: number) => {
    if (typeof branch !== 'object' || branch === null) return;
    const phase = (branch as Record<string, unknown>)['phase'];
    if (typeof phase === 'string') refs.push({ node, slot: `branches[${i}].phase`, phase });
  });
  return refs;
}

function checkFlowReferences(index: GraphIndex, refs: readonly PhaseRef[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const used = new Set<string>();
  for (const { node, slot, phase } of refs) {
    used.add(phase);
    const where = `node "${node.id}" slot "${slot}"`;
    const target = index.phases.get(phase);
    const role = target?.role ?? 'forward';
    if (target !== undefined && role === 'body') continue;
    const message =
      target === undefined
        ? `${where} names unknown phase "${phase}"`
        : `${where} names phase "${phase}" whose role is "${role}" (expected "body")`;
    problems.push({ kind: 'invalid-phase-ref', message, nodes: [node.id], phase });
  }
  for (const phase of index.phases.values()) {
    if (phase.role !== 'body' || used.has(phase.id)) continue;
    const message = `body phase "${phase.id}" is not used by any flow node (body, branches or else)`;
    problems.push({ kind: 'unused-body-phase', message, nodes: [], phase: phase.id });
  }
  return problems;
}

/** Whether a node in `phase` runs inside an invocation of body phase `body` (nesting allowed). */
function runsInside(
  phase: string | undefined,
  body: string,
  parents: ReadonlyMap<string, string>,
): boolean {
  const seen = new Set<string>();
  for (let at = phase; at !== undefined && !seen.has(at); at = parents.get(at)) {
    if (at === body) return true;
    seen.add(at);
  }
  return false;
}

function checkProxyScopes(index: GraphIndex, refs: readonly PhaseRef[]): GraphProblem[] {
  // A body phase's parent is the phase of the flow node invoking it.
  const parents = new Map<string, string>();
  for (const ref of refs) {
    const parent = phaseOfNode(index, ref.node);
    if (parent !== undefined && !parents.has(ref.phase)) parents.set(ref.phase, parent);
  }
  const problems: GraphProblem[] = [];
  for (const node of index.nodes.values()) {
    for (const slot in node.slots) {
      const value = node.slots[slot];
      if (value?.kind !== 'proxy') continue;
      const gather = index.nodes.get(value.gather);
      const body = gather?.slots['body'];
      if (body?.kind !== 'immediate' || typeof body.value !== 'string') continue;
      const phase = phaseOfNode(index, node);
      if (runsInside(phase, body.value, parents)) continue;
      const where = phase === undefined ? 'no phase' : `"${phase}"`;
      const message =
        `node "${node.id}" slot "${slot}" proxies gather "${value.gather}" ` +
        `but is not in its body phase "${body.value}" (it is in ${where})`;
      const { gather: gatherId } = value;
      problems.push({ kind: 'proxy-outside-body', message, nodes: [node.id], slot, gather: gatherId });
    }
  }
  return problems;
}

function retryProblems(phase: Phase): string[] {
  const retry = phase.retry;
  if (retry === undefined) return [];
  const problems: string[] = [];
  if (!Number.isInteger(retry.max_attempts) || retry.max_attempts < 1) {
    problems.push(`max_attempts must be an integer ≥ 1 (got ${String(retry.max_attempts)})`);
  }
  if (!(BACKOFF_STRATEGIES as readonly string[]).includes(retry.backoff)) {
    const got = String(retry.backoff);
    problems.push(`backoff must be one of ${BACKOFF_STRATEGIES.join(', ')} (got "${got}")`);
  }
  for (const field of ['initial_delay', 'max_delay'] as const) {
    const value = retry[field];
    if (value !== undefined && !isDuration(value)) {
      problems.push(`${field} is not a duration: "${value}" (use e.g. 500ms, 2s, 1m30s)`);
    }
  }
  if (retry.jitter !== undefined && !(retry.jitter >= 0 && retry.jitter <= 1)) {
    problems.push(`jitter must be within [0, 1] (got ${retry.jitter})`);
  }
  return problems;
}

function checkRetries(index: GraphIndex): GraphProblem[] {
  return [...index.phases.values()].flatMap((phase) =>
    retryProblems(phase).map(
      (text): GraphProblem => ({
        kind: 'invalid-retry',
        message: `phase "${phase.id}" retry: ${text}`,
        nodes: [],
        phase: phase.id,
      }),
    ),
  );
}

/**
 * Phase checks: in a phased graph every node in exactly one phase (its `phase` field and the
 * phase's list agree), `compensate` names a compensation phase, flow nodes name body phases and
 * every body phase is used, proxies run inside their gather's body, retry policies are sane.
 */
export function checkPhases(index: GraphIndex): GraphProblem[] {
  const phased = index.phases.size > 0;
  const refs: PhaseRef[] = [];
  for (const node of index.nodes.values()) {
    if (node.action.startsWith('flow.')) refs.push(...phaseRefs(node));
  }
  return [
    ...(phased ? checkMembership(index) : []),
    ...checkCompensation(index),
    ...checkFlowReferences(index, refs),
    ...(phased ? checkProxyScopes(index, refs) : []),
    ...checkRetries(index),
  ];
}
