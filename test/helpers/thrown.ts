import { WritLoreError } from '../../src/graph/index.js';

/** The WritLoreError `run` throws; any other error is rethrown, and not throwing fails the test. */
export function thrown(run: () => unknown): WritLoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof WritLoreError) return error;
    throw error;
  }
  throw new Error('expected a WritLoreError');
}

/** The WritLoreError `promise` rejects with; any other reason is rethrown, and resolving fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<WritLoreError> {
  const error: unknown = await promise.then(
    () => new Error('expected a failure'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof WritLoreError)) throw error;
  return error;
}
