import { mkdtempSync, readdirSync, readlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as receipts } from './receipts.js';
import { main as writ } from './writ.js';
import { exitOnBrokenPipe } from './pipe.js';

/**
 * `npm start`: the README's main command. Deploys the bundled example repository
 * (fixtures/dotfiles: layers base, team and personal; projects all, shell, git and secrets, the
 * secret decrypted with fixtures/dotfiles/test-identity.txt) into a fresh temporary home with a
 * fresh temporary state and config dir: first `writ apply --dry-run` (the purchase order), then
 * `writ apply`, then `receipts view` and the deployed tree. Nothing outside those temporary
 * directories is touched.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPO = join(ROOT, 'fixtures/dotfiles');
const work = mkdtempSync(join(tmpdir(), 'writ-lore-example-'));
const target = join(work, 'home');
const stateDir = join(work, 'state');
const configDir = join(work, 'config');

const common = [
  '--layer', `base=${join(REPO, 'base')}`,
  '--layer', `team=${join(REPO, 'team')}`,
  '--layer', `personal=${join(REPO, 'personal')}`,
  '--identity', join(REPO, 'test-identity.txt'),
  '--target', target,
  '--state-dir', stateDir,
  '--config-dir', configDir,
  'all', 'shell', 'git', 'secrets',
];

function heading(text: string): void {
  process.stdout.write(`\n\x1b[1m$ ${text}\x1b[0m\n`.replace(/\x1b\[[0-9;]*m/g, process.stdout.isTTY ? '$&' : ''));
}

/** The deployed tree: `path -> link target` for links, the mode for files. */
function printTree(dir: string): void {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of entries) {
    const stats = lstatSync(file);
    const name = relative(dir, file);
    if (stats.isSymbolicLink()) process.stdout.write(`  ~/${name} -> ${relative(ROOT, readlinkSync(file))}\n`);
    else if (stats.isFile()) process.stdout.write(`  ~/${name} (file, ${(stats.mode & 0o777).toString(8)})\n`);
  }
}

exitOnBrokenPipe();
heading('writ apply --dry-run …   # the purchase order: nothing is written');
let code = await writ(['apply', '--dry-run', ...common]);
if (code === 0) {
  heading('writ apply …             # preflight, run, receipt');
  code = await writ(['apply', ...common]);
}
if (code === 0) {
  heading('writ apply …             # again: nothing to do');
  code = await writ(['apply', ...common]);
}
if (code === 0) {
  heading('receipts view');
  code = await receipts(['view', '--state-dir', stateDir, '--config-dir', configDir]);
  heading(`the deployed tree (${target})`);
  printTree(target);
  process.stdout.write(`\nExplore further: writ status --state-dir ${stateDir} --config-dir ${configDir}\n`);
}
process.exitCode = code;
