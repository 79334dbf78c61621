import { describe, expect, it } from 'vitest';
import { FileTree, type FileEntry, type FileRecord } from '../../src/index.js';

function entry(path: string, overrides: Partial<FileRecord> = {}): FileEntry {
  const record: FileRecord = {
    time: '2026-11-01T00:00:00.000Z', receipt: 'writ-2026-11-01T00-00-00-000Z', tool: 'writ',
    action: 'file.link', status: 'completed', kind: 'link', isSecret: false, ...overrides,
  };
  return { path, history: [record] };
}

describe('FileTree', () => {
  const tree = new FileTree([
    entry('/home/u/.config/git/config', { project: 'git' }),
    entry('/home/u/.bashrc', { project: 'shell', kind: 'copy', action: 'file.copy' }),
    entry('/home/u/.config/nvim/init.lua', { project: 'nvim' }),
    entry('/home/u/.profile', { project: 'shell' }),
  ]);

  it('lists entries flat and sorted by path', () => {
    expect(tree.entries.map((item) => item.path)).toEqual([
      '/home/u/.bashrc', '/home/u/.config/git/config', '/home/u/.config/nvim/init.lua', '/home/u/.profile',
    ]);
  });

  it('roots the hierarchy at the common directory and nests by path segments', () => {
    expect(tree.root.path).toBe('/home/u');
    const config = tree.root.children.get('.config');
    expect([...(config?.children.keys() ?? [])].sort()).toEqual(['git', 'nvim']);
    expect(config?.children.get('git')?.children.get('config')?.entry?.path).toBe('/home/u/.config/git/config');
  });

  it('partitions links and copies and filters by project', () => {
    expect(tree.linked()).toHaveLength(3);
    expect(tree.copied().map((item) => item.path)).toEqual(['/home/u/.bashrc']);
    expect(tree.forProject('shell').map((item) => item.path)).toEqual(['/home/u/.bashrc', '/home/u/.profile']);
    expect(tree.projects()).toEqual(['git', 'nvim', 'shell']);
  });

  it('finds an entry by path', () => {
    expect(tree.get('/home/u/.config/../.profile')?.path).toBe('/home/u/.profile');
    expect(tree.get('/nope')).toBeUndefined();
  });

  it('roots an empty tree at /', () => {
    expect(new FileTree([]).root.path).toBe('/');
  });
});
