import type { ExecutorHooks } from '../../src/index.js';
import type { Output } from '../output.js';

/**
 * Phase progress on stderr: one line when a phase starts, one when it ends (with the attempt
 * and the error of a failed one), one per retry and per undo. Silent under --json and --quiet.
 */
export function progressHooks(out: Output): ExecutorHooks {
  if (out.isJson) return {};
  return {
    onPhaseStart: ({ phase, attempt }) => {
      out.note(`${out.paint('cyan', '→')} ${phase.id}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    },
    onPhaseComplete: ({ phase, attempt, error }) => {
      if (error === undefined) out.note(`${out.paint('green', '✓')} ${phase.id}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      else out.note(`${out.paint('red', '✗')} ${phase.id} attempt ${attempt}: ${error}`);
    },
    onRetry: ({ phase, attempt, delayMs }) => {
      out.note(`  retrying ${phase.id} (attempt ${attempt}) in ${delayMs} ms`);
    },
    onCompensate: ({ node, outcome }) => {
      const text = outcome.kind === 'compensated' ? 'undone' : outcome.kind === 'not-compensable' ? `not undone: ${outcome.message}` : 'undo failed';
      out.note(`  ${out.paint('yellow', '↶')} ${node.id} ${text}`);
    },
  };
}
