import { describe, expect, it } from 'vitest';
import { WritLoreError, assertWritConfined, immediate, writNodeEscape, type Graph, type GraphContext, type JsonValue, type Node } from '../../../src/index.js';

const CONTEXT: GraphContext = {
  target_root: '/home/kim',
  layers: [{ name: 'base', path: '/repo/base' }],
  settings: { system: 'off' },
};

function node(path: string, extra: { source?: string; undo?: JsonValue; scope?: string } = {}): Node {
  return {
    id: `link:${path}`,
    action: 'file.link',
    status: 'completed',
    slots: { path: immediate(path), source: immediate(extra.source ?? '/repo/base/Home/shell/.bashrc') },
    annotations: { 'writ.scope': extra.scope ?? 'home' },
    ...(extra.undo === undefined ? {} : { undo: extra.undo }),
  };
}

const place = (path: string, createdDirs: string[] = []): JsonValue => ({ kind: 'place', path, prior: { type: 'missing' }, backup: null, placed: { type: 'symlink', link_target: '/repo/base/x' }, created_dirs: createdDirs });

describe('writNodeEscape', () => {
  it('accepts a node inside its target and layers, created parents up to the root included', () => {
    expect(writNodeEscape(node('/home/kim/.bashrc', { undo: place('/home/kim/.config/a', ['/home/kim', '/home/kim/.config']) }), CONTEXT)).toBeUndefined();
  });

  it.each([
    ['a path outside the target', node('/etc/passwd'), /"\/etc\/passwd" is outside the target \/home\/kim/],
    ['a sibling sharing the prefix', node('/home/kimberly/.bashrc'), /is outside the target/],
    ['the root itself', node('/home/kim'), /is outside the target/],
    ['a .. segment', node('/home/kim/../eve/.bashrc'), /is not a normalised path/],
    ['a relative path', node('.bashrc'), /is not an absolute path/],
    ['an undo path outside', node('/home/kim/.bashrc', { undo: place('/etc/passwd') }), /"\/etc\/passwd" is outside/],
    ['a created dir outside', node('/home/kim/.bashrc', { undo: place('/home/kim/.bashrc', ['/etc']) }), /"\/etc" is outside/],
    ['a source outside the layers', node('/home/kim/.bashrc', { source: '/etc/shadow' }), /source "\/etc\/shadow" is outside the run's layers/],
    ['a system node of a run without --system', node('/etc/motd', { scope: 'system' }), /is outside the target/],
  ])('names %s', (_what, escaping, message) => {
    expect(writNodeEscape(escaping, CONTEXT)).toMatch(message);
  });

  it('lets a System/ node of a --system run write under the system root', () => {
    const context = { ...CONTEXT, settings: { system: 'on', system_root: '/' } };
    expect(writNodeEscape(node('/etc/motd', { scope: 'system' }), context)).toBeUndefined();
    expect(writNodeEscape(node('/etc/motd'), context)).toMatch(/is outside the target/);
  });
});

describe('assertWritConfined', () => {
  it('throws an integrity error naming the file and node', () => {
    const graph = { context: CONTEXT } as Graph;
    const escaping = node('/etc/passwd');
    expect(() => assertWritConfined(graph, [node('/home/kim/.x'), escaping], '/state/r.yaml')).toThrow(WritLoreError);
    expect(() => assertWritConfined(graph, [escaping], '/state/r.yaml')).toThrow(expect.objectContaining({
      code: 'integrity',
      path: '/state/r.yaml',
      message: expect.stringContaining(`node "${escaping.id}" points outside`),
    }));
  });
});
