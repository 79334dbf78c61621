import { describe, expect, it } from 'vitest';
import { WritLoreError, errorMessage, isWritLoreError } from '../../src/graph/index.js';

describe('WritLoreError', () => {
  it('renders path:line before the message when it has a location', () => {
    const error = new WritLoreError('invalid-input', 'unknown key "projcts"', {
      path: 'writ.yaml',
      line: 7,
      hint: 'did you mean "projects"?',
    });
    expect(error.located).toBe('writ.yaml:7: unknown key "projcts"');
    expect(errorMessage(error)).toBe('writ.yaml:7: unknown key "projcts"');
    expect(isWritLoreError(error, 'invalid-input')).toBe(true);
    expect(isWritLoreError(error, 'integrity')).toBe(false);
  });

  it('renders only the message without a location', () => {
    expect(new WritLoreError('internal', 'boom').located).toBe('boom');
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage('text')).toBe('text');
  });
});
