import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach } from 'vitest';
import type { Clock } from '../../../src/actions/index.js';
import { DirectoryBackupStore } from '../../../src/actions/backup-store.js';
import type { JsonValue } from '../../../src/graph/index.js';
import { fakeActionContext, type FakeActionContext } from '../../helpers/fake-action-context.js';
import { useTempDir } from '../../helpers/temp-dir.js';

export { manualClock } from '../../helpers/fake-action-context.js';
export { snapshotTree } from '../../helpers/tree-snapshot.js';

/** A context over a real backup directory (`backupRoot`, outside the tree under test). */
export function makeContext(options: {
  backupRoot: string;
  clock?: Clock;
  signal?: AbortSignal;
  onRegister?: (state: JsonValue) => void;
}): FakeActionContext {
  const { backupRoot, ...rest } = options;
  return fakeActionContext({ nodeId: 'n1', backups: new DirectoryBackupStore(backupRoot), ...rest });
}

/** The temp directory of a test: `tree/` (the tree under test) and `backups/` (the store) inside. */
export interface Workspace {
  readonly base: string;
  readonly tree: string;
  readonly backups: string;
}

/** A fresh {@link Workspace} for each test of the calling file (removed after it). */
export function useWorkspace(prefix: string): Workspace {
  const temp = useTempDir(prefix);
  beforeEach(() => mkdir(join(temp.path, 'tree')));
  return {
    get base() {
      return temp.path;
    },
    get tree() {
      return join(temp.path, 'tree');
    },
    get backups() {
      return join(temp.path, 'backups');
    },
  };
}
