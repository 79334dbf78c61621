import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plan, computeChecksum, createDefaultRegistry, writeGraphYaml } from '../src/index.js';
import { exitOnBrokenPipe } from './pipe.js';

/**
 * `npm start`: plans the bundled example (fixtures/dotfiles, base layer, projects `all` and
 * `shell`, plus the git config template) into a temporary target and prints the purchase
 * order. Nothing is written anywhere.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAYER = join(ROOT, 'fixtures/dotfiles/base/Home');
const TARGET = join(tmpdir(), 'writ-lore-example-home');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.swp'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

exitOnBrokenPipe();
const plan = new Plan(createDefaultRegistry(), {
  tool: 'writ',
  context: { target_root: TARGET, projects: ['all', 'shell', 'git'] },
});
for (const project of ['all', 'shell']) {
  for (const source of filesUnder(join(LAYER, project))) {
    plan.link(source, join(TARGET, relative(join(LAYER, project), source)), { project, layer: 'base' });
  }
}
const template = join(LAYER, 'git/.config/git/config.tmpl');
const rendered = plan.render(template, { project: 'git', layer: 'base' });
plan.copy(rendered, join(TARGET, '.config/git/config'), { mode: '0644', project: 'git', layer: 'base' });

const graph = plan.graph();
process.stdout.write(writeGraphYaml(graph));
process.stdout.write(`# ${graph.nodes.length} nodes, plan checksum ${computeChecksum(graph)}\n`);
