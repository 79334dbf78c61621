import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestBytes, selectUndo, type Node, type UndoItem } from '../../src/index.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir('writ-undo-targets-');

/** A completed `file.copy` of `stem` that put `placed` at `target` over `prior`. */
function copyItem(stem: string, target: string, prior: Record<string, string>, placed: string): UndoItem {
  const node: Node = {
    id: `copy:${target}`, action: 'file.copy', status: 'completed', slots: {},
    undo: { kind: 'place', path: target, prior, backup: null, placed: { type: 'file', digest: digestBytes(Buffer.from(placed)), mode: '0644' }, created_dirs: [] },
  };
  return { node, stem };
}

describe('selectUndo', () => {
  it.each([
    ['displaces an older deployment whose output was edited before the newer one replaced it', 'first\nedited\n', true],
    ['undoes a stack plainly when each run replaced exactly what the one before left', 'first\n', false],
  ])('%s', async (_title, replaced, isSuperseded) => {
    const target = join(temp.path, 'config');
    await writeFile(target, 'second\n');
    const first = copyItem('writ-1', target, { type: 'missing' }, 'first\n');
    const second = copyItem('writ-2', target, { type: 'file', digest: digestBytes(Buffer.from(replaced)) }, 'second\n');
    const selection = await selectUndo([[first, second]]);
    expect(selection.chosen).toEqual([first, second]);
    expect([...selection.displace]).toEqual(isSuperseded ? [first] : []);
    expect(selection.superseded).toEqual(isSuperseded ? [target] : []);
    expect(selection.drifted).toEqual([]);
  });
});
