// Child process of test/receipts/crash.test.ts: runs (or recovers) a real file-action graph
// through the built engine (dist/) with the journal, and SIGKILLs itself at a chosen point.
//
// argv: <mode: run|run-recorded|recover> <stateDir> <targetDir> <repoDir> <nodeCount>
//       run: beginRecordedRun + the executor, no preflight (every registration journalled as
//       the node runs); run-recorded: runRecorded as the CLIs use it (preflight under the run's
//       memo, conflicts backed up, undo states predicted for free paths pre-registered).
// env:  KILL_AT=<hook>:<n>   hook = undo (after the n-th undo registration is durable),
//                             done (after the n-th node completes), end (in onRunEnd),
//                             compensated (recover: after the n-th undo of recovery)
//       KILL_AFTER_MS=<ms>    a timer-based kill
import {
  GraphExecutor,
  ReceiptStore,
  acquireRunLock,
  beginRecordedRun,
  createDefaultRegistry,
  fileProvider,
  recover,
  runRecorded,
} from '../../dist/src/index.js';
import { buildCrashPlan } from './crash-plan.mjs';

const [mode, stateDir, targetDir, repoDir, nodeCount] = process.argv.slice(2);
const [killHook, killCountText] = (process.env.KILL_AT ?? ':').split(':');
const killCount = Number(killCountText);
let seen = 0;

function maybeKill(hook) {
  if (hook !== killHook) return;
  seen += 1;
  if (seen === killCount) process.kill(process.pid, 'SIGKILL');
}

// A timer kill is armed when the run starts; if the run ends first, onRunEnd kills instead, so a
// timer case always ends in a kill whatever the machine's speed.
const killTimer = process.env.KILL_AFTER_MS;
function armTimer() {
  if (killTimer !== undefined) setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(killTimer));
}

const store = new ReceiptStore({ stateDir });
const registry = createDefaultRegistry([fileProvider]);
const lock = await acquireRunLock(store.layout.lock, { tool: 'writ' });

if (mode === 'run') {
  const plan = buildCrashPlan({ targetDir, repoDir, count: Number(nodeCount) });
  const run = await beginRecordedRun(store, plan);
  const killer = {
    onUndoRegistered: () => maybeKill('undo'),
    onNodeComplete: () => maybeKill('done'),
    onRunStart: () => armTimer(),
    onRunEnd: () => (killTimer === undefined ? maybeKill('end') : process.kill(process.pid, 'SIGKILL')),
  };
  const executor = new GraphExecutor(registry, { backups: run.backups, hooks: [run.hooks, killer], jobs: 2 });
  const started = performance.now();
  const report = await executor.run(plan);
  const ms = Math.round(performance.now() - started);
  await run.finish(report.graph);
  process.stdout.write(`${report.state} ${ms}\n`);
} else if (mode === 'run-recorded') {
  const plan = buildCrashPlan({ targetDir, repoDir, count: Number(nodeCount) });
  const killer = {
    onUndoRegistered: () => maybeKill('undo'),
    onNodeComplete: () => maybeKill('done'),
    onRunStart: () => armTimer(),
    onRunEnd: () => (killTimer === undefined ? maybeKill('end') : process.kill(process.pid, 'SIGKILL')),
  };
  const started = performance.now();
  const { report, journal } = await runRecorded(plan, {
    store, registry, lock: false, handleSignals: false, jobs: 2, hooks: [killer], preflight: { resolution: 'backup' },
  });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`${report.state} ${ms} ${journal.syncs}\n`);
} else {
  const [journal] = await store.journals();
  const report = await recover(journal, {
    store,
    actions: registry,
    onUndo: () => maybeKill('compensated'),
  });
  process.stdout.write(`${report.state}\n`);
}
await lock.release();
