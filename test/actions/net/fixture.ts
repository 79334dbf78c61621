import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionContext, Clock } from '../../../src/actions/index.js';
import { DirectoryBackupStore } from '../../../src/actions/backup-store.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { manualClock } from '../../helpers/fake-action-context.js';

export { manualClock } from '../../helpers/fake-action-context.js';
export { snapshotTree } from '../../helpers/tree-snapshot.js';

/** An ActionContext over a real backup directory that records every registered undo state. */
export interface TestContext extends ActionContext {
  readonly registered: JsonValue[];
  readonly warnings: string[];
}

/** Builds a {@link TestContext}; `backupRoot` should live outside the tree under test. */
export function makeContext(options: {
  backupRoot: string;
  clock?: Clock;
  signal?: AbortSignal;
  onRegister?: (state: JsonValue) => void;
}): TestContext {
  const registered: JsonValue[] = [];
  const warnings: string[] = [];
  return {
    nodeId: 'n1',
    signal: options.signal ?? new AbortController().signal,
    clock: options.clock ?? manualClock(),
    data: {},
    log: { info: () => undefined, warn: (message) => warnings.push(message) },
    backups: new DirectoryBackupStore(options.backupRoot),
    registered,
    warnings,
    registerUndo: async (state) => {
      options.onRegister?.(state);
      registered.push(state);
    },
  };
}

export interface Workspace {
  readonly base: string;
  readonly tree: string;
  readonly backups: string;
  cleanup(): Promise<void>;
}

/** A fresh temp dir with `tree/` (the tree under test) and `backups/` (the store) inside. */
export async function makeWorkspace(prefix: string): Promise<Workspace> {
  const base = await mkdtemp(join(tmpdir(), prefix));
  const tree = join(base, 'tree');
  const backups = join(base, 'backups');
  await mkdir(tree);
  return { base, tree, backups, cleanup: () => rm(base, { recursive: true, force: true }) };
}
