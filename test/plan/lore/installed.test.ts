import { describe, expect, it } from 'vitest';
import { installedPackages, operationOf, splitRef, withLoreRecord, type LoreReceipt } from '../../../src/index.js';
import type { Graph, GraphState } from '../../../src/index.js';

function receipt(stem: string, options: { state?: GraphState; packages: string[]; prefix?: string; operation?: 'install' | 'remove'; depends?: Record<string, string[]> }): LoreReceipt {
  const graph: Graph = {
    version: '1',
    tool: 'lore',
    timestamp: `2026-11-0${stem}T00:00:00.000Z`,
    state: options.state ?? 'executed',
    platform: { os: 'linux', arch: 'x64' },
    context: { packages: options.packages, prefix: options.prefix ?? '/p' },
    nodes: [],
    edges: [],
  };
  return { stem, graph: withLoreRecord(graph, { operation: options.operation ?? 'install', requested: [], depends: options.depends ?? {} }) };
}

describe('installedPackages', () => {
  it('adds executed installs and takes executed removes away, per prefix', () => {
    const installed = installedPackages([
      receipt('1', { packages: ['hello-tool@1.0.0', 'greet@1.0.0'], depends: { greet: ['hello-tool'] } }),
      receipt('2', { packages: ['greet@1.0.0'], prefix: '/q' }),
      receipt('3', { packages: ['greet@1.0.0'], operation: 'remove' }),
    ]);
    expect(installed.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.prefix} ${pkg.receipt}`)).toEqual(['greet@1.0.0 /q 2', 'hello-tool@1.0.0 /p 1']);
  });

  it.each(['rolled_back', 'failed', 'interrupted'] as const)('ignores a %s run', (state) => {
    expect(installedPackages([receipt('1', { packages: ['greet@1.0.0'], state })])).toEqual([]);
    const removed = installedPackages([receipt('1', { packages: ['greet@1.0.0'] }), receipt('2', { packages: ['greet@1.0.0'], operation: 'remove', state })]);
    expect(removed.map((pkg) => pkg.name)).toEqual(['greet']);
  });

  it('records dependencies and the operation', () => {
    const [greet] = installedPackages([receipt('1', { packages: ['greet@1.0.0'], depends: { greet: ['hello-tool'] } })]);
    expect(greet?.depends).toEqual(['hello-tool']);
    expect(operationOf(receipt('1', { packages: [], operation: 'remove' }).graph)).toBe('remove');
  });

  it.each([
    ['greet@1.0.0', { name: 'greet', version: '1.0.0' }],
    ['scoped@pkg@2', { name: 'scoped@pkg', version: '2' }],
    ['bare', { name: 'bare', version: '' }],
  ])('splits %s', (ref, expected) => {
    expect(splitRef(ref)).toEqual(expected);
  });
});
