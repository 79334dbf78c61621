import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWritLoreError } from '../../../src/graph/index.js';
import { settleCollisions } from '../../../src/plan/index.js';
import type { WritCandidate, WritLayer } from '../../../src/plan/index.js';
import { thrown } from '../../helpers/thrown.js';

const BASE: WritLayer = { name: 'base', path: '/r/base', rank: 0 };
const TEAM: WritLayer = { name: 'team', path: '/r/team', rank: 1 };

function candidate(layer: WritLayer, directory: string, target = '/h/.inputrc'): WritCandidate {
  const suffixes = directory.split('.').length - 1;
  return {
    target,
    source: `${layer.path}/Home/${directory}${target.slice(2)}`,
    relative: `Home/${directory}${target.slice(2)}`,
    layer,
    project: directory.split('.')[0] ?? '',
    directory,
    specificity: suffixes,
    scope: 'home',
    transform: 'link',
  };
}

describe('settleCollisions', () => {
  it('lets a higher layer beat a more specific directory of a lower layer', () => {
    const settled = settleCollisions([candidate(BASE, 'all.Linux.amd64'), candidate(TEAM, 'all')]);
    expect(settled.winners.map((c) => c.source)).toEqual(['/r/team/Home/all/.inputrc']);
    expect(settled.collisions).toEqual([
      {
        target: '/h/.inputrc',
        winner: '/r/team/Home/all/.inputrc',
        winner_layer: 'team',
        loser: '/r/base/Home/all.Linux.amd64/.inputrc',
        loser_layer: 'base',
        reason: 'layer "team" ranks above layer "base"',
      },
    ]);
  });

  it('lets the more specific directory win within a layer', () => {
    const settled = settleCollisions([candidate(BASE, 'all'), candidate(BASE, 'all.Linux'), candidate(BASE, 'kim.Linux.Debian')]);
    expect(settled.winners.map((c) => c.directory)).toEqual(['kim.Linux.Debian']);
    expect(settled.collisions.map((c) => [c.loser, c.reason])).toEqual([
      ['/r/base/Home/all.Linux/.inputrc', '"kim.Linux.Debian" (specificity 2) is more specific than "all.Linux" (specificity 1)'],
      ['/r/base/Home/all/.inputrc', '"kim.Linux.Debian" (specificity 2) is more specific than "all" (specificity 0)'],
    ]);
  });

  it('refuses a tie for the winning place, naming both sources', () => {
    const error = thrown(() => settleCollisions([candidate(BASE, 'shell.Linux'), candidate(BASE, 'all.Unix')]));
    expect(isWritLoreError(error, 'invalid-input')).toBe(true);
    expect(error.message).toBe(
      'two sources for /h/.inputrc in layer "base" with the same specificity (1): /r/base/Home/all.Unix/.inputrc and /r/base/Home/shell.Linux/.inputrc',
    );
  });

  it('only records a tie among sources that lose anyway', () => {
    const settled = settleCollisions([candidate(BASE, 'shell'), candidate(BASE, 'all'), candidate(TEAM, 'all')]);
    expect(settled.winners.map((c) => c.layer.name)).toEqual(['team']);
    expect(settled.collisions).toHaveLength(2);
  });

  it('refuses a target inside another target', () => {
    const outer = candidate(BASE, 'vim', '/h/.vim');
    const inner = candidate(BASE, 'vim', '/h/.vim/vimrc');
    expect(() => settleCollisions([inner, outer])).toThrow(/lies inside \/h\/\.vim/);
  });

  it('names the first nested target and its outer target, also when siblings sort between them', () => {
    const targets = ['/h/.vim', '/h/.vim.bak', '/h/.vim/pack', '/h/.vim-x', '/h/.vim/pack/start/a'];
    const error = thrown(() => settleCollisions(targets.map((target) => candidate(BASE, 'vim', target))));
    expect(error.message).toBe(
      '/h/.vim/pack (from /r/base/Home/vim/.vim/pack) lies inside /h/.vim, which /r/base/Home/vim/.vim deploys as a file',
    );
    const deeper = ['/h/.vim/pack', '/h/.vim/pack.d', '/h/.vim/pack/start/a'];
    expect(() => settleCollisions(deeper.map((target) => candidate(BASE, 'vim', target)))).toThrow(
      /^\/h\/\.vim\/pack\/start\/a .* lies inside \/h\/\.vim\/pack, /,
    );
  });

  it('refuses nested targets exactly when walking up from some target meets another one', () => {
    const segment = fc.constantFrom('a', 'b', 'a.b', 'a-b', 'ab');
    const targetPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/h/${parts.join('/')}`);
    fc.assert(
      fc.property(fc.uniqueArray(targetPath, { maxLength: 12 }), (targets) => {
        const outerOf = (target: string): string | undefined => {
          for (let dir = target.slice(0, target.lastIndexOf('/')); dir.length > 0; dir = dir.slice(0, dir.lastIndexOf('/'))) {
            if (targets.includes(dir)) return dir;
          }
          return undefined;
        };
        const nested = [...targets].sort().find((target) => outerOf(target) !== undefined);
        const run = () => settleCollisions(targets.map((target) => candidate(BASE, 'all', target)));
        if (nested === undefined) expect(run().winners.map((c) => c.target)).toEqual([...targets].sort());
        else expect(thrown(run).message).toMatch(`${nested} (from /r/base/Home/all${nested.slice(2)}) lies inside ${outerOf(nested)}, `);
      }),
    );
  });

  it('gives the same result for candidates already in target order as for any other order', () => {
    const sorted = ['/h/.a', '/h/.b/c', '/h/.b/d', '/h/.c'].map((target) => candidate(BASE, 'all', target));
    const settled = settleCollisions(sorted);
    expect(settled).toEqual({ winners: sorted, collisions: [] });
    expect(settled.winners).not.toBe(sorted);
    expect(settleCollisions([...sorted].reverse())).toEqual(settled);
  });

  it('keys targets by absolute path: equal relative paths in different roots do not collide', () => {
    const home = candidate(BASE, 'all', '/h/etc/motd');
    const system = { ...candidate(BASE, 'all', '/etc/motd'), scope: 'system' as const };
    expect(settleCollisions([home, system]).collisions).toEqual([]);
  });

  it('picks the same winners whatever order the candidates come in', () => {
    const pool = [
      candidate(BASE, 'all'),
      candidate(TEAM, 'all.Linux'),
      candidate(BASE, 'all.Linux.amd64'),
      candidate(BASE, 'all', '/h/.bashrc'),
      candidate(TEAM, 'shell', '/h/.bashrc'),
      candidate(BASE, 'all', '/h/.profile'),
    ];
    const expected = settleCollisions(pool);
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }), (shuffled) => {
        expect(settleCollisions(shuffled)).toEqual(expected);
      }),
    );
  });
});
