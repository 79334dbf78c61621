import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../../cli/exit-codes.js';
import { WritLoreError } from '../../src/index.js';

describe('exitCodeFor', () => {
  it('gives a cancellation by a signal the shell code of that signal, any other cancellation 1', () => {
    expect(exitCodeFor(new WritLoreError('cancelled', 'the run was cancelled by SIGINT', { signal: 'SIGINT' }))).toBe(EXIT.interrupted);
    expect(exitCodeFor(new WritLoreError('cancelled', 'the run was cancelled by SIGTERM', { signal: 'SIGTERM' }))).toBe(EXIT.terminated);
    expect(exitCodeFor(new WritLoreError('cancelled', 'preflight was cancelled'))).toBe(EXIT.runFailed);
  });

  it('maps every other error by its code, and anything foreign to 1', () => {
    expect(exitCodeFor(new WritLoreError('conflict', 'x'))).toBe(EXIT.conflict);
    expect(exitCodeFor(new WritLoreError('stale-plan', 'x'))).toBe(EXIT.integrity);
    expect(exitCodeFor(new Error('x'))).toBe(EXIT.runFailed);
  });
});
