/** The executor layer: GraphExecutor (flat + phased saga), RecoveryStack, hooks, clock, dry runs. */
export * from './types.js';
export * from './clock.js';
export * from './hooks.js';
export * from './recovery-stack.js';
export { GraphExecutor } from './executor.js';
export type { DryRunReport, NodePrediction, Prediction } from './dry-run.js';
export * from './preflight.js';
export * from './conflicts.js';
