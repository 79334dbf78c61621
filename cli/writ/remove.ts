import path from 'node:path';
import { WritLoreError, assertUndoConfined, foldDeployments, runUndo, selectUndo, type UndoOutcome } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import type { CommandContext, Handler } from '../program.js';
import { isWithin, openSession, type WritFlags } from './context.js';
import { displayTarget } from './purchase-order.js';

/** Options of `writ remove`. */
export interface RemoveOptions extends WritFlags {
  readonly force?: boolean;
}

/**
 * `writ remove PROJECT…`: takes the projects' files out of the target by undoing their latest
 * deployment, as a journalled run: links are removed, copies only when unmodified (unless
 * `--force`), and whatever the deployment backed up is put back. A path changed since is left
 * alone and named. `--target DIR` limits it to the files under one target (by default every
 * target the projects were deployed to).
 */
export const handler: Handler<RemoveOptions> = async (ctx: CommandContext<RemoveOptions>) => {
  const session = openSession(ctx);
  const projects = new Set(ctx.args);
  if (projects.size === 0) throw new WritLoreError('invalid-input', 'name the projects to remove', { hint: 'writ remove shell git' });
  const target = ctx.options.target === undefined ? undefined : path.resolve(ctx.options.target);
  const { stacks: deployed, latest } = await foldDeployments(session.store, target === undefined ? {} : { target });
  const inScope = (where: string): boolean => target === undefined || isWithin(where, target);
  const stacks = [...deployed].filter(([where, stack]) => inScope(where) && projects.has(stack.at(-1)?.node.project ?? '')).map(([, stack]) => stack);
  const found = new Set(stacks.map((stack) => stack.at(-1)?.node.project));
  const missing = [...projects].filter((project) => !found.has(project));
  if (missing.length > 0) {
    const where = target === undefined ? '' : ` in ${target}`;
    throw new WritLoreError('not-found', `nothing of ${missing.map((p) => `"${p}"`).join(', ')} is deployed${where}`, { hint: "see 'writ status'" });
  }
  await assertUndoConfined(session.store, stacks.flat());
  const force = ctx.options.force === true;
  const selection = await selectUndo(stacks, { force });
  if (!force) for (const line of selection.drifted) ctx.out.warn(`kept ${line} (changed since it was deployed; --force removes it)`);
  for (const target of selection.superseded) ctx.out.note(`${target}: the version a later apply replaced stays in the backups (it differed from what writ had deployed)`);
  if (selection.chosen.length === 0) {
    ctx.out.line('nothing removed', true);
    return EXIT.ok;
  }
  const outcome = await runUndo(selection.chosen, {
    store: session.store,
    registry: session.registry,
    operation: 'remove',
    context: { ...(latest?.context ?? {}), projects: [...projects] },
    alreadyUndone: selection.alreadyUndone,
    displace: selection.displace,
    onNote: (note) => ctx.out.warn(note),
  });
  return reportUndo(ctx.out, `removed ${[...projects].join(', ')}`, outcome, latest?.context.target_root);
};

/** Prints what an undo did; exit 5 when an undo failed (the others were put back; the receipt says so). */
export function reportUndo(out: Output, what: string, outcome: UndoOutcome, root?: string): number {
  const file = path.basename(outcome.receipt.path);
  if (out.isJson) {
    out.json({ version: 1, state: outcome.state, receipt: outcome.receipt.path, undone: outcome.undone, failed: outcome.failed });
  } else {
    for (const target of outcome.undone) out.note(`undone   ${displayTarget(target, root)}`);
    for (const failure of outcome.failed) out.error(new WritLoreError('rollback-incomplete', `${failure.path}: ${failure.message}`));
    out.line(`${what}: ${outcome.undone.length} undone${outcome.failed.length > 0 ? `, ${outcome.failed.length} failed` : ''} — receipt ${file}`, true);
  }
  return outcome.state === 'executed' ? EXIT.ok : EXIT.rollbackIncomplete;
}
