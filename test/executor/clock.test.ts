import { describe, expect, it } from 'vitest';
import { TestClock, systemClock } from '../../src/executor/index.js';

describe('TestClock', () => {
  it('advances time by each sleep and records it, without waiting', async () => {
    const clock = new TestClock('2026-01-01T00:00:00.000Z');
    await clock.sleep(250);
    await clock.sleep(1000);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.250Z');
    expect(clock.sleeps.map((s) => s.ms)).toEqual([250, 1000]);
  });

  it('rejects a sleep on an aborted signal without recording it', async () => {
    const clock = new TestClock();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(clock.sleep(10, controller.signal)).rejects.toThrow('stop');
    expect(clock.sleeps).toEqual([]);
  });
});

describe('systemClock', () => {
  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(systemClock.sleep(60_000, controller.signal)).rejects.toThrow('gone');
  });

  it('rejects when the signal aborts during the sleep', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('interrupted'));
    await expect(sleeping).rejects.toThrow('interrupted');
  });
});
