import { describe, expect, it } from 'vitest';
import { HookRunner, type Diagnostic } from '../../src/executor/index.js';
import type { Graph } from '../../src/graph/index.js';
import { flatGraph } from './helpers.js';

const graph: Graph = flatGraph([{ id: 'a' }]);

describe('HookRunner', () => {
  it('calls every hook in order and awaits each before the next', async () => {
    const seen: string[] = [];
    const runner = new HookRunner(
      [
        { onRunStart: async () => { await new Promise((r) => setImmediate(r)); seen.push('first'); } },
        { onRunStart: () => void seen.push('second') },
      ],
      () => undefined,
    );
    await runner.emit('onRunStart', { graph });
    expect(seen).toEqual(['first', 'second']);
  });

  it('turns a throwing or rejecting hook into a diagnostic and still calls the rest', async () => {
    const diagnostics: Diagnostic[] = [];
    const seen: string[] = [];
    const runner = new HookRunner(
      [
        { onRunStart: () => { throw new Error('sync boom'); } },
        { onRunStart: () => Promise.reject(new Error('async boom')) },
        { onRunStart: () => void seen.push('third') },
      ],
      (d) => diagnostics.push(d),
    );
    await runner.emit('onRunStart', { graph });
    expect(seen).toEqual(['third']);
    expect(diagnostics).toEqual([
      { kind: 'hook-failed', hook: 'onRunStart', message: 'sync boom' },
      { kind: 'hook-failed', hook: 'onRunStart', message: 'async boom' },
    ]);
  });

  it('returns nothing to await when every callback returned synchronously', () => {
    const seen: string[] = [];
    const runner = new HookRunner(
      [{ onRunStart: () => void seen.push('first') }, { onRunStart: () => void seen.push('second') }],
      () => undefined,
    );
    expect(runner.emit('onRunStart', { graph })).toBeUndefined();
    expect(seen).toEqual(['first', 'second']);
  });

  it('runs the callbacks after a pending one only once it settled', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const runner = new HookRunner(
      [
        { onRunStart: () => void seen.push('first') },
        { onRunStart: () => new Promise<void>((resolve) => { release = resolve; }).then(() => void seen.push('second')) },
        { onRunStart: () => void seen.push('third') },
      ],
      () => undefined,
    );
    const pending = runner.emit('onRunStart', { graph });
    expect(pending).toBeInstanceOf(Promise);
    expect(seen).toEqual(['first']);
    release();
    await pending;
    expect(seen).toEqual(['first', 'second', 'third']);
  });

  it('knows which callbacks exist so hot paths can skip them', () => {
    const runner = new HookRunner([{ onNodeStart: () => undefined }], () => undefined);
    expect(runner.has('onNodeStart')).toBe(true);
    expect(runner.has('onNodeComplete')).toBe(false);
  });

  it('calls a hook with its object as this', async () => {
    const journal = {
      lines: [] as string[],
      onRunStart(this: { lines: string[] }) {
        this.lines.push('started');
      },
    };
    await new HookRunner([journal], () => undefined).emit('onRunStart', { graph });
    expect(journal.lines).toEqual(['started']);
  });
});
