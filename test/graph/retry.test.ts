import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeDelay, totalAttempts } from '../../src/graph/index.js';
import type { RetryPolicy } from '../../src/graph/index.js';

const policy = (overrides: Partial<RetryPolicy>): RetryPolicy => ({
  max_attempts: 4,
  backoff: 'none',
  initial_delay: '100ms',
  ...overrides,
});

describe('computeDelay', () => {
  it.each([
    ['none', [100, 100, 100]],
    ['linear', [100, 200, 300]],
    ['exponential', [100, 200, 400]],
  ] as const)('waits %s backoff delays for retries 0, 1, 2', (backoff, delays) => {
    expect([0, 1, 2].map((a) => computeDelay(policy({ backoff }), a))).toEqual(delays);
  });

  it.each([
    [0, 100],
    [1, 200],
    [2, 300],
    [3, 300],
    [40, 300],
  ])('caps exponential backoff at max_delay 300ms (retry %i → %i ms)', (retry, ms) => {
    expect(computeDelay(policy({ backoff: 'exponential', max_delay: '300ms' }), retry)).toBe(ms);
  });

  it('waits nothing when there is no initial delay, whatever the strategy', () => {
    for (const backoff of ['none', 'linear', 'exponential'] as const) {
      const { initial_delay: _unused, ...rest } = policy({ backoff, max_delay: '1s' });
      expect(computeDelay(rest, 5)).toBe(0);
      expect(computeDelay(policy({ backoff, initial_delay: '0s' }), 5)).toBe(0);
    }
  });

  it('treats a max_delay of 0 as no cap', () => {
    expect(computeDelay(policy({ backoff: 'exponential', max_delay: '0' }), 4)).toBe(1600);
  });

  it('stays finite for a huge retry index without a cap', () => {
    expect(Number.isFinite(computeDelay(policy({ backoff: 'exponential' }), 2000))).toBe(true);
  });

  it.each([
    [0, 50],
    [0.5, 100],
    [0.999_999, 150],
  ])('spreads a 100ms delay by jitter 0.5 with random %d → %i ms', (random, ms) => {
    expect(computeDelay(policy({ jitter: 0.5 }), 0, () => random)).toBe(ms);
  });

  it('never goes above max_delay or below 0 with jitter', () => {
    const capped = policy({ backoff: 'exponential', max_delay: '300ms', jitter: 1 });
    expect(computeDelay(capped, 5, () => 0.999_999)).toBe(300);
    expect(computeDelay(capped, 5, () => 0)).toBe(0);
  });

  it('keeps every jittered delay within ±j·delay and within [0, max_delay]', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('none', 'linear', 'exponential'),
        fc.integer({ min: 0, max: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (backoff, retry, jitter, random) => {
          const base = computeDelay(policy({ backoff, max_delay: '10s' }), retry);
          const delay = computeDelay(policy({ backoff, max_delay: '10s', jitter }), retry, () => random);
          expect(delay).toBeGreaterThanOrEqual(Math.max(0, Math.floor(base - jitter * base)));
          expect(delay).toBeLessThanOrEqual(Math.min(10_000, Math.ceil(base + jitter * base)));
        },
      ),
    );
  });

  it.each([
    [policy({}), -1, /retry index/],
    [policy({}), 1.5, /retry index/],
    [policy({ jitter: 2 }), 0, /jitter/],
    [policy({ initial_delay: '5x' }), 0, /invalid duration "5x"/],
  ])('rejects bad input (%#)', (bad, retry, message) => {
    expect(() => computeDelay(bad, retry)).toThrow(message);
  });
});

describe('totalAttempts', () => {
  it('counts one try without a policy and max_attempts tries with one', () => {
    expect(totalAttempts()).toBe(1);
    expect(totalAttempts(policy({ max_attempts: 3 }))).toBe(3);
  });

  it.each([0, -2, 1.5, Number.NaN])('still allows one try for an invalid max_attempts %d', (max) => {
    expect(totalAttempts(policy({ max_attempts: max }))).toBe(1);
  });
});
