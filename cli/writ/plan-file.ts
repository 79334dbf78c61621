import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  WritLoreError,
  assertVerified,
  assertWritConfined,
  immediate,
  parseGraph,
  describeTargetState,
  readTargetState,
  savePlan as saveSealedPlan,
  type Conflict,
  type Graph,
  type KeyStore,
  type Node,
} from '../../src/index.js';
import type { TargetPrediction } from './predict.js';
import { formatCount } from '../plural.js';

/** The annotation holding what a target looked like when the plan was saved (its precondition). */
export const EXPECT_ANNOTATION = 'writ.expect';

/**
 * The annotation holding what the target's source in the repository was when the plan was
 * saved: a copy, template or secret must still have those bytes (the saved plan writes what
 * its purchase order showed), a link's source must still be there as the same kind of item.
 */
export const SOURCE_EXPECT_ANNOTATION = 'writ.expect-source';


/**
 * The plan to save with `--out`: each target's node carries its precondition (what is at the
 * path now) and the conflict resolution chosen for it, so the saved plan decides exactly what
 * this dry run showed. Sealed with a checksum for the file's name, and signed when a key exists.
 */
export async function savePlanWithPreconditions(
  file: string,
  graph: Graph,
  predictions: readonly TargetPrediction[],
  keys: KeyStore,
): Promise<{ checksum: string; signed: boolean }> {
  const byNode = new Map(predictions.map((prediction) => [prediction.node, prediction]));
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const prediction = byNode.get(node.id);
    if (prediction === undefined) {
      nodes.push(node);
      continue;
    }
    const state = await readTargetState(prediction.target);
    const source = describeTargetState(await readTargetState(prediction.source));
    const conflict = prediction.outcome.kind === 'conflict' ? prediction.outcome.conflict : undefined;
    nodes.push(withPrecondition(node, describeTargetState(state), source, conflict));
  }
  return saveSealedPlan(file, { ...graph, nodes }, keys);
}

function withPrecondition(node: Node, expect: string, source: string, conflict: Conflict | undefined): Node {
  const annotations = { ...(node.annotations ?? {}), [EXPECT_ANNOTATION]: expect, [SOURCE_EXPECT_ANNOTATION]: source };
  const keepsResolution = conflict !== undefined && conflict.resolution !== 'stop';
  const slots = keepsResolution ? { ...node.slots, on_conflict: immediate(conflict.resolution) } : node.slots;
  return { ...node, annotations, slots };
}

/** Options of {@link loadPlan}. */
export interface LoadPlanOptions {
  readonly keys: KeyStore;
  readonly requireSignature: boolean;
}

/** Reads a saved writ plan and verifies its checksum and signature (`integrity`, exit 4). */
export async function loadPlan(file: string, options: LoadPlanOptions): Promise<Graph> {
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new WritLoreError('not-found', `cannot read the plan ${file}`, { path: file, cause });
  });
  const graph = parseGraph(text, { path: file });
  assertVerified(graph, {
    basename: path.basename(file),
    trustedKeys: await options.keys.trustedKeys(),
    requireSignature: options.requireSignature,
    path: file,
  });
  if (graph.tool !== 'writ' || graph.state !== 'pending') {
    throw new WritLoreError('invalid-input', `${file} is not a writ plan (tool ${graph.tool}, state ${graph.state})`, {
      path: file,
      hint: "save one with 'writ apply --dry-run --out FILE'",
    });
  }
  assertWritConfined(graph, graph.nodes, file);
  return graph;
}

/**
 * How the source of `node` drifted from what the saved plan recorded (undefined when it did
 * not, or when the plan recorded nothing: plans saved before sources were recorded). A link
 * only needs its source there as the same kind of item; anything copied needs the same bytes.
 */
async function sourceDrifted(node: Node, target: string): Promise<string | undefined> {
  const expected = node.annotations?.[SOURCE_EXPECT_ANNOTATION];
  const source = node.annotations?.['writ.source'];
  if (expected === undefined || source === undefined) return undefined;
  const now = describeTargetState(await readTargetState(source));
  const isLink = node.annotations?.['writ.transform'] === 'link';
  const same = isLink ? kindOf(now) === kindOf(expected) : now === expected;
  return same ? undefined : `  ${source} (source of ${target}): was ${expected}, now ${now}`;
}

/** The kind of a described state (`file`, `symlink`, `directory`, `missing`…). */
function kindOf(described: string): string {
  const at = described.indexOf(':');
  return at < 0 ? described : described.slice(0, at);
}

/**
 * Checks every node's precondition against the disk; a plan whose targets (or their sources)
 * changed since it was saved is stale (`stale-plan`, exit 4), and the error names each drifted
 * path.
 */
export async function assertFresh(graph: Graph, file: string): Promise<void> {
  const drifted: string[] = [];
  for (const node of graph.nodes) {
    const expected = node.annotations?.[EXPECT_ANNOTATION];
    const slot = node.slots['path'];
    if (expected === undefined || slot?.kind !== 'immediate' || typeof slot.value !== 'string') continue;
    const now = describeTargetState(await readTargetState(slot.value));
    if (now !== expected) drifted.push(`  ${slot.value}: was ${expected}, now ${now}`);
    const sourceDrift = await sourceDrifted(node, slot.value);
    if (sourceDrift !== undefined) drifted.push(sourceDrift);
  }
  if (drifted.length === 0) return;
  const paths = formatCount(drifted.length, 'path');
  throw new WritLoreError('stale-plan', `the plan is stale: ${paths} changed since it was saved; nothing was changed:\n${drifted.join('\n')}`, {
    path: file,
    hint: "make a new plan with 'writ apply --dry-run --out FILE'",
  });
}
