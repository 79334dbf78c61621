import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  classifyOccupant,
  knownTargetsOf,
  type Conflict,
  type KnownTarget,
} from '../../src/executor/conflicts.js';
import { immediate, promise, type Graph, type Node } from '../../src/graph/index.js';
import type { TargetState } from '../../src/actions/index.js';

describe('classifyOccupant', () => {
  const file: TargetState = { type: 'file', digest: 'sha256:aa', mode: '0644' };
  const link = (to: string): TargetState => ({ type: 'symlink', link_target: to });
  it.each([
    ['an unknown file', 'file', file, undefined],
    ['an unknown directory', 'directory', { type: 'directory', mode: '0755' }, undefined],
    ['an unknown link', 'foreign-symlink', link('/else/x'), undefined],
    ['a link into an owned root', 'ours', link('/repo/layer/x'), undefined],
    ['a relative link into an owned root', 'ours', link('../layer/x'), undefined],
    ['a link to a sibling of an owned root', 'foreign-symlink', link('/repo/layer2/x'), undefined],
    ['the link the receipt made', 'ours', link('/old/x'), { link_target: '/old/x' }],
    [
      'a link the user re-pointed',
      'changed-since-receipt',
      link('/new/x'),
      { link_target: '/old/x' },
    ],
    ['the file the receipt wrote', 'ours', file, { digest: 'sha256:aa' }],
    ['a file the user edited', 'changed-since-receipt', file, { digest: 'sha256:bb' }],
    ['a file where the receipt made a link', 'changed-since-receipt', file, { link_target: '/x' }],
  ] as Array<[string, string, TargetState, KnownTarget | undefined]>)(
    'classifies %s as %s',
    (_name, kind, current, known) => {
      expect(classifyOccupant('/repo/home/.x', current, known, ['/repo/layer'])).toBe(kind);
    },
  );
});

describe('knownTargetsOf', () => {
  it('maps completed link, copy, write and mkdir nodes to what they left', () => {
    const node = (
      id: string,
      action: string,
      status: Node['status'],
      extra: Partial<Node> = {},
    ): Node => ({
      id,
      action,
      status,
      slots: { path: immediate(`/h/${id}`), source: immediate(`/s/${id}`) },
      ...extra,
    });
    const receipt: Graph = {
      version: '1',
      tool: 'writ',
      timestamp: '2026-01-01T00:00:00.000Z',
      state: 'executed',
      platform: { os: 'linux', arch: 'x64' },
      context: {},
      edges: [],
      nodes: [
        node('l', 'file.link', 'completed'),
        node('c', 'file.copy', 'completed', { target_digest: 'sha256:cc' }),
        node('d', 'file.mkdir', 'completed'),
        node('undone', 'file.link', 'compensated'),
        node('shell', 'shell.exec', 'completed'),
        { id: 'p', action: 'file.link', status: 'completed', slots: { path: promise('x') } },
      ],
    };
    expect([...knownTargetsOf(receipt)]).toEqual([
      ['/h/l', { type: 'symlink', link_target: '/s/l' }],
      ['/h/c', { type: 'file', digest: 'sha256:cc' }],
      ['/h/d', { type: 'directory' }],
    ]);
  });
});

describe('ConflictError', () => {
  it('lists the stopping conflicts in its message and carries every conflict', () => {
    const base = {
      action: 'file.link',
      current: { type: 'file' } as TargetState,
      kind: 'file' as const,
    };
    const conflicts: Conflict[] = [
      {
        ...base,
        node: 'a',
        path: '/h/a',
        reason: 'regular file exists at /h/a',
        resolution: 'stop',
      },
      {
        ...base,
        node: 'b',
        path: '/h/b',
        reason: 'regular file exists at /h/b',
        resolution: 'skip',
      },
    ];
    const error = new ConflictError(conflicts);
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      '1 conflict; nothing was changed:\n  regular file exists at /h/a (file.link a)',
    );
    expect(error.conflicts).toHaveLength(2);
    expect(error.hint).toMatch(/backup, overwrite, skip or adopt/);
  });
});
