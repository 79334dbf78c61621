import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** The temp directory of the running test (see {@link useTempDir}). */
export interface TempDir {
  /** Its absolute path; reading it outside a test (or its hooks) throws. */
  readonly path: string;
}

/**
 * Registers, in the calling file or `describe`, a `beforeEach` that makes a fresh directory
 * under the OS temp dir and an `afterEach` that removes it with everything in it.
 *
 * @example
 * const temp = useTempDir('writ-file-');
 * it('writes', async () => writeFile(join(temp.path, 'a'), 'A'));
 */
export function useTempDir(prefix = 'writ-lore-test-'): TempDir {
  let current: string | undefined;
  beforeEach(async () => {
    current = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    if (done !== undefined) await rm(done, { recursive: true, force: true });
  });
  return {
    get path(): string {
      if (current === undefined) throw new Error(`useTempDir(${JSON.stringify(prefix)}): no test is running`);
      return current;
    },
  };
}

/**
 * Makes a value inside a fresh temp dir (see {@link useTempDir}) before each test of the calling
 * file or `describe`; the function returned gives the running test's value.
 */
export function useInTempDir<T>(prefix: string, make: (dir: string) => Promise<T>): () => T {
  const temp = useTempDir(prefix);
  let current: { readonly value: T } | undefined;
  beforeEach(async () => {
    current = { value: await make(temp.path) };
  });
  afterEach(() => {
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error(`useInTempDir(${JSON.stringify(prefix)}): no test is running`);
    return current.value;
  };
}
