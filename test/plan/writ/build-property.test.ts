import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { writeGraphYaml } from '../../../src/graph/index.js';
import { TempDirs, planLayers, writeFiles } from './repo.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

/** A file of a small random repository: layer, project directory, relative path. */
const fileArbitrary = fc.record({
  layer: fc.constantFrom('base', 'team'),
  dir: fc.constantFrom('all', 'all.Linux', 'all.Unix.amd64', 'all.Darwin', 'kim', 'kim.Linux.Debian'),
  path: fc.constantFrom('.a', '.b', 'x/.c', 'x/y/.d', '.e.tmpl'),
});

describe('buildWritPlan on random repositories', () => {
  it('deploys every target once from its best source and records every other source as a collision', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fileArbitrary, { maxLength: 12, selector: (f) => `${f.layer}/${f.dir}/${f.path}` }), (files) => {
        // A tie for a target's best place is an error by design; keep repositories without one.
        const rank = (f: (typeof files)[number]) => (f.layer === 'team' ? 100 : 0) + f.dir.split('.').length;
        const applies = files.filter((f) => !f.dir.includes('Darwin'));
        for (const f of applies) {
          const target = f.path.replace('.tmpl', '');
          const others = applies.filter((o) => o.path.replace('.tmpl', '') === target && o !== f);
          if (others.some((o) => rank(o) === rank(f)) && !others.some((o) => rank(o) > rank(f))) return;
        }
        const root = dirs.make('writ-prop-');
        writeFiles(root, Object.fromEntries(files.map((f) => [`${f.layer}/Home/${f.dir}/${f.path}`, f.path])));
        writeFiles(root, { 'base/Home/all/.keep-all': '', 'base/Home/kim/.keep-kim': '' });
        const plan = planLayers(root, ['base', 'team'], { projects: ['all', 'kim'] });
        const targets = plan.sources.map((line) => line.target).filter((t) => !t.includes('.keep-'));
        expect(new Set(targets).size).toBe(targets.length);
        expect(targets.length + plan.collisions.length).toBe(applies.length);
        const rankOf = (source: string) => {
          const [layer = '', , dir = ''] = source.slice(root.length + 1).split('/');
          return (layer === 'team' ? 100 : 0) + dir.split('.').length;
        };
        for (const collision of plan.collisions) {
          const winner = plan.sources.find((line) => line.target === collision.target);
          expect(winner?.source).toBe(collision.winner);
          expect(rankOf(collision.winner)).toBeGreaterThan(rankOf(collision.loser));
        }
        const reordered = planLayers(root, ['team', 'base'], { projects: ['all', 'kim'] });
        expect(writeGraphYaml(reordered.graph)).toBe(writeGraphYaml(plan.graph));
      }),
      { numRuns: 40 },
    );
  });
});
