import path from 'node:path';
import { WritLoreError } from '../../src/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext, Handler } from '../program.js';
import { printDiffs } from './apply.js';
import { isWithin, knownTargets, openSession, ownedRootsOf, planFromFlags, runDataFor, warnInterrupted, type WritFlags } from './context.js';
import { predictTargets } from './predict.js';
import { diffOf, displayTarget } from './purchase-order.js';

/**
 * `writ diff [PATH…]`: what `apply` would change, as unified diffs (copies and templates in
 * full, secrets as digests, links as one line). Read-only. PATHs (`~/x`, relative to the
 * target, or absolute) limit the output; a directory selects everything under it. A target
 * whose content cannot be computed (a secret without its identity) is named with the reason,
 * as the purchase order's `? unknown` line does, and the other diffs are still shown.
 */
export const handler: Handler<WritFlags> = async (ctx: CommandContext<WritFlags>) => {
  const session = openSession(ctx, { readOnly: true });
  await warnInterrupted(ctx.out, session.store);
  const plan = planFromFlags(session, ctx.options, []);
  const graph = plan.graph;
  const root = graph.context.target_root ?? '/';
  const predictions = await predictTargets(graph, {
    registry: session.registry,
    data: runDataFor(session, graph, ctx.options),
    preflight: { resolution: 'stop', known: await knownTargets(session.store), ownedRoots: ownedRootsOf(graph) },
  });
  const wanted = ctx.args.map((arg) => targetPath(arg, root));
  const strays = ctx.args.filter((_, index) => !predictions.some((p) => isWithin(p.target, wanted[index] as string)));
  if (strays.length > 0) {
    throw new WritLoreError('invalid-input', `${strays.join(', ')}: not ${strays.length === 1 ? 'a target' : 'targets'} of the plan (nor a directory holding one)`, {
      hint: "name targets as the purchase order shows them ('writ apply --dry-run'): ~/…, absolute, or relative to the target",
    });
  }
  const selected = predictions.filter((p) => wanted.length === 0 || wanted.some((w) => isWithin(p.target, w)));
  const unknown = selected.flatMap((p) => (p.outcome.kind === 'unknown' ? [{ target: p.target, reason: p.outcome.reason }] : []));
  if (ctx.out.isJson) {
    ctx.out.json({ version: 1, diffs: selected.map((p) => ({ target: p.target, diff: diffOf(p) })).filter((d) => d.diff !== ''), unknown });
  } else {
    for (const { target, reason } of unknown) ctx.out.warn(`${displayTarget(target, root)}: not diffed: ${reason}`);
    printDiffs(ctx.out, selected);
  }
  return EXIT.ok;
};

/** A PATH argument as a target path: `~/…` and relative paths are under the target root. */
function targetPath(text: string, root: string): string {
  if (text === '~' || text.startsWith('~/')) return path.join(root, text.slice(2));
  return path.resolve(root, text);
}
