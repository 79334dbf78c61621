import path from 'node:path';
import { WritLoreError } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import type { CommandContext, Handler } from '../program.js';
import { openSession, type WritFlags } from './context.js';
import { displayTarget } from './purchase-order.js';
import { foldDeployments } from './deployments.js';
import { checkItem, undoItems, type UndoItem, type UndoOutcome } from './undo.js';

/** Options of `writ remove`. */
export interface RemoveOptions extends WritFlags {
  readonly force?: boolean;
}

/**
 * `writ remove PROJECT…`: takes the projects' files out of the target by undoing their latest
 * deployment: links are removed, copies only when unmodified (unless `--force`), and whatever
 * the deployment backed up is put back. A path changed since is left alone and named.
 */
export const handler: Handler<RemoveOptions> = async (ctx: CommandContext<RemoveOptions>) => {
  const session = openSession(ctx);
  const projects = new Set(ctx.args);
  if (projects.size === 0) throw new WritLoreError('invalid-input', 'name the projects to remove', { hint: 'writ remove shell git' });
  const { stacks: deployed, latest } = await foldDeployments(session.store);
  const stacks = [...deployed.values()].filter((stack) => projects.has(stack.at(-1)?.node.project ?? ''));
  const found = new Set(stacks.map((stack) => stack.at(-1)?.node.project));
  const missing = [...projects].filter((project) => !found.has(project));
  if (missing.length > 0) {
    throw new WritLoreError('not-found', `nothing of ${missing.map((p) => `"${p}"`).join(', ')} is deployed`, { hint: "see 'writ status'" });
  }
  const plan = await choose(stacks, ctx.options.force === true);
  for (const line of plan.kept) ctx.out.warn(`kept ${line}: changed since it was deployed (--force removes it)`);
  if (plan.chosen.length === 0) {
    ctx.out.line('nothing removed', true);
    return EXIT.ok;
  }
  const outcome = await undoItems(plan.chosen, {
    session,
    operation: 'remove',
    context: { ...(latest?.context ?? {}), projects: [...projects] },
    alreadyUndone: plan.alreadyUndone,
    displace: plan.displace,
    onNote: (note) => ctx.out.warn(note),
  });
  return reportUndo(ctx.out, `removed ${[...projects].join(', ')}`, outcome, latest?.context.target_root);
};

/**
 * Which deployments to undo. A path deployed by several runs (a re-deploy that replaced our
 * own earlier link) is undone through the whole stack, newest first, so what was there before
 * writ first came back; only the newest is compared with the disk.
 */
async function choose(stacks: readonly (readonly UndoItem[])[], force: boolean) {
  const kept: string[] = [];
  const alreadyUndone = new Set<UndoItem>();
  const displace = new Set<UndoItem>();
  const chosen: UndoItem[] = [];
  for (const stack of stacks) {
    const newest = stack.at(-1);
    if (newest === undefined) continue;
    const check = await checkItem(newest);
    if (check.kind === 'drifted' && !force) {
      kept.push(`${check.path} (left as ${check.expected}, now ${check.now})`);
      continue;
    }
    if (check.kind === 'already-undone') alreadyUndone.add(newest);
    if (check.kind === 'drifted') displace.add(newest);
    chosen.push(...stack);
  }
  return { kept, alreadyUndone, displace, chosen };
}

/** Prints what an undo did; exit 5 when an undo failed (the receipt keeps what is left). */
export function reportUndo(out: Output, what: string, outcome: UndoOutcome, root?: string): number {
  const file = path.basename(outcome.receipt.path);
  if (out.isJson) {
    out.json({ version: 1, state: outcome.state, receipt: outcome.receipt.path, undone: outcome.undone, failed: outcome.failed });
  } else {
    for (const target of outcome.undone) out.note(`undone   ${displayTarget(target, root)}`);
    for (const failure of outcome.failed) out.error(new WritLoreError('rollback-incomplete', `${failure.path}: ${failure.message}`));
    out.line(`${what}: ${outcome.undone.length} undone${outcome.failed.length > 0 ? `, ${outcome.failed.length} failed` : ''} — receipt ${file}`, true);
  }
  return outcome.failed.length === 0 ? EXIT.ok : EXIT.rollbackIncomplete;
}
