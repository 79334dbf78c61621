import { describe, expect, it } from 'vitest';
import { pkgRemove } from '../../../src/actions/pkg/index.js';
import { CHANGES, changeCalls, useFakeManager } from './fake-manager.js';

const fake = useFakeManager();

describe('pkg.remove', () => {
  it.each(['apt', 'dnf', 'brew', 'npm'] as const)(
    'with %s removes only what is installed and its undo reinstalls only that',
    async (manager) => {
      await fake.preinstall('git', 'jq');
      const ctx = fake.context();
      const output = await pkgRemove.do(ctx, { manager, packages: ['jq', 'ripgrep'] });
      const state = { kind: 'removed', manager, packages: ['jq'] };
      expect(output).toEqual({ result: { removed: ['jq'] }, undo: state });
      expect(ctx.registered).toEqual([state]);
      expect(await fake.installed()).toEqual(['git']);
      await pkgRemove.undo(fake.context(), state);
      expect(await fake.installed()).toEqual(['git', 'jq']);
      expect(await changeCalls(fake, manager)).toEqual([`${CHANGES[manager].remove} jq`, `${CHANGES[manager].install} jq`]);
    },
  );

  it('probes as ok-already when nothing is installed, and as replace otherwise', async () => {
    await fake.preinstall('jq');
    expect(await pkgRemove.probe?.(fake.context(), { manager: 'brew', packages: ['tree'] })).toMatchObject({ kind: 'ok-already' });
    expect(await pkgRemove.probe?.(fake.context(), { manager: 'brew', packages: ['jq', 'tree'] })).toEqual({
      kind: 'replace',
      target: 'brew:jq,tree',
      current: { type: 'other' },
      detail: 'would remove jq',
    });
    expect(await fake.installed()).toEqual(['jq']);
  });

  it('rejects malformed undo state', async () => {
    await expect(pkgRemove.undo(fake.context(), { kind: 'installed', manager: 'apt', packages: ['jq'] })).rejects.toMatchObject({
      code: 'invalid-input',
    });
  });

  it('does nothing when none of the packages is installed', async () => {
    const ctx = fake.context();
    expect(await pkgRemove.do(ctx, { manager: 'dnf', packages: ['jq'] })).toEqual({ result: { removed: [] } });
    expect(ctx.registered).toEqual([]);
  });
});
