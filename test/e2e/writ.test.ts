import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, parseGraph } from '../../src/index.js';
import { spawn, spawnSync } from 'node:child_process';
import {
  ROOT,
  makeSandbox,
  sandboxEnv,
  receiptNames,
  snapshotAll,
  snapshotHome,
  writ,
  type Sandbox,
} from './writ-helpers.js';

/*
 * End-to-end: the built `writ` (node bin/writ.js, compiled by `npm test`'s build) against a copy
 * of fixtures/dotfiles, a temporary home and a temporary state dir.
 */

let box: Sandbox;
const PROJECTS = ['all', 'shell', 'git', 'secrets'];

beforeEach(async () => {
  box = await makeSandbox();
});

afterEach(async () => {
  await fs.rm(box.dir, { recursive: true, force: true });
});

const apply = (...extra: string[]) => writ(box, ['apply', ...box.flags, '--identity', box.identity, ...extra, ...PROJECTS]);

describe('writ apply --dry-run', () => {
  it('prints the purchase order and writes nothing anywhere, state dir included', async () => {
    await fs.writeFile(path.join(box.home, '.profile'), 'mine\n');
    const before = await snapshotAll(box);
    const run = await apply('--dry-run', '--diff');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('writ purchase order');
    expect(run.stdout).toMatch(/\+ create\s+~\/\.bashrc\s+link ← base\/shell/);
    expect(run.stdout).toMatch(/! conflict\s+~\/\.profile .*regular file exists .*→ stop/);
    expect(run.stdout).toContain('+\tname = Kim Example');
    expect(run.stdout).toMatch(/Secret .*token\.env differs: \(missing\) -> sha256:[0-9a-f]{64}/);
    expect(run.stdout).toMatch(/plan checksum sha256:[0-9a-f]{64}/);
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('writes nothing to the state dir even when its cache has to be read cold (and neither does writ diff)', async () => {
    expect((await apply()).code).toBe(0);
    await fs.rm(path.join(box.state, 'cache'), { recursive: true, force: true });
    // Replaced (not written through the link, which would edit the repository).
    await fs.rm(path.join(box.home, '.profile'));
    await fs.writeFile(path.join(box.home, '.profile'), 'mine\n');
    const before = await snapshotAll(box);
    const dry = await apply('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('! conflict');
    const diff = await writ(box, ['diff', ...box.flags, '--identity', box.identity]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('lists what the repository has that the plan leaves out, System/ without --system included', async () => {
    const run = await apply('--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nskipped \(\d+\):\n/);
    expect(run.stdout).toMatch(/ {2}base\/System +System\/ is deployed only with --system\n/);
    expect(run.stdout).toMatch(/ {2}base\/Home\/shell\.Darwin +no segment of this machine is "Darwin"\n/);
    const json = await apply('--dry-run', '--json');
    const document = JSON.parse(json.stdout) as { skipped: { kind: string; layer: string }[] };
    expect(document.skipped).toContainEqual(expect.objectContaining({ kind: 'system', layer: 'base' }));
  });

  it('names the losing sources when two of one layer lose to the same winner', async () => {
    const repo = path.join(box.dir, 'alike');
    for (const [dir, text] of [['base/Home/all', 'a'], ['base/Home/all.Linux', 'b'], ['personal/Home/all', 'c']] as const) {
      await fs.mkdir(path.join(repo, dir), { recursive: true });
      await fs.writeFile(path.join(repo, dir, '.foo'), `${text}\n`);
    }
    const layers = ['--layer', `base=${repo}/base`, '--layer', `personal=${repo}/personal`, '--target', box.home, '-s', 'OS=Linux'];
    const run = await writ(box, ['apply', ...layers, '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`: ${repo}/base/Home/all.Linux/.foo loses\n`);
    expect(run.stdout).toContain(`: ${repo}/base/Home/all/.foo loses\n`);
  });

  it('emits the whole plan and every prediction with --json', async () => {
    const run = await apply('--dry-run', '--json');
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { plan: { nodes: unknown[]; state: string }; targets: { outcome: { kind: string } }[]; checksum: string };
    expect(parsed.plan.state).toBe('pending');
    expect(parsed.plan.nodes.length).toBe(11);
    expect(parsed.targets.map((t) => t.outcome.kind)).toEqual(Array(9).fill('create'));
    expect(run.stdout).not.toContain('SECRET');
  });

  it('saves a checksummed plan with --out that parses back', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    const run = await apply('--out', file);
    expect(run.code).toBe(0);
    const graph = parseGraph(await fs.readFile(file, 'utf8'));
    expect(graph.state).toBe('pending');
    expect(graph.checksum).toMatch(/^sha256:/);
    expect(await receiptNames(box)).toEqual([]);
    await expect(fs.readdir(box.home)).resolves.toEqual([]);
  });
});

describe('writ apply', () => {
  it('deploys, writes one receipt, and a second apply changes nothing and says so', async () => {
    const first = await apply();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^7 linked, 2 copied in [0-9.]+ s — receipt writ-.*\.yaml$/m);
    expect(await fs.readlink(path.join(box.home, '.bashrc'))).toBe(path.join(box.repo, 'base/Home/shell/.bashrc'));
    expect((await fs.stat(path.join(box.home, '.config/writ-example/token.env'))).mode & 0o777).toBe(0o600);
    expect(await receiptNames(box)).toHaveLength(1);
    const before = await snapshotAll(box);
    const second = await apply();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to do: all 9 targets are up to date');
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('takes the run lock before probing: another run holding it is refused, nothing changed, dry runs still work', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await fs.mkdir(box.state, { recursive: true });
      await acquireRunLock(path.join(box.state, 'lock'), { tool: 'writ', pid: holder.pid! });
      const before = await snapshotAll(box);
      const run = await apply();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/writ: error: .*lock.*pid \d+/);
      expect(await snapshotAll(box)).toEqual(before);
      expect((await apply('--dry-run')).code).toBe(0);
      expect(await snapshotAll(box)).toEqual(before);
    } finally {
      holder.kill();
    }
  });

  it('stops with exit 3 listing every conflict and changes nothing', async () => {
    await fs.writeFile(path.join(box.home, '.profile'), 'mine\n');
    await fs.mkdir(path.join(box.home, '.inputrc'));
    const before = await snapshotHome(box);
    const run = await apply();
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('2 conflicts; nothing was changed');
    expect(run.stderr).toContain(`regular file exists at ${path.join(box.home, '.profile')}`);
    expect(run.stderr).toContain(`directory exists at ${path.join(box.home, '.inputrc')}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await snapshotHome(box)).toEqual(before);
    expect(await receiptNames(box)).toEqual([]);
  });

  it.each([
    ['backup', 'symlink', 'mine\n'],
    ['overwrite', 'symlink', 'mine\n'],
    ['skip', 'file', 'mine\n'],
    ['adopt', 'symlink', 'mine\n'],
  ])('resolves a conflicting file with --conflict %s', async (resolution, type, content) => {
    const profile = path.join(box.home, '.profile');
    await fs.writeFile(profile, 'mine\n');
    const run = await apply('--conflict', resolution);
    expect(run.code).toBe(0);
    const stats = await fs.lstat(profile);
    expect(stats.isSymbolicLink() ? 'symlink' : 'file').toBe(type);
    // Whatever the resolution, the user's bytes survive: in place, in the backup store or adopted.
    const source = path.join(box.repo, 'base/Home/shell/.profile');
    if (resolution === 'skip') expect(await fs.readFile(profile, 'utf8')).toBe(content);
    if (resolution === 'adopt') expect(await fs.readFile(source, 'utf8')).toBe(content);
    if (resolution === 'backup' || resolution === 'overwrite') {
      const [stem] = await fs.readdir(path.join(box.state, 'backups'));
      const saved = await fs.readdir(path.join(box.state, 'backups', stem ?? ''), { recursive: true });
      expect(saved.length).toBeGreaterThan(0);
    }
  });

  it('skips a conflicting rendered template and decrypted secret: the user files stay, the receipt says skipped', async () => {
    const config = path.join(box.home, '.config/git/config');
    const token = path.join(box.home, '.config/writ-example/token.env');
    for (const file of [config, token]) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, `mine: ${path.basename(file)}\n`);
    }
    const run = await apply('--conflict', 'skip');
    expect(run.code, run.stderr).toBe(0);
    expect(await fs.readFile(config, 'utf8')).toBe('mine: config\n');
    expect(await fs.readFile(token, 'utf8')).toBe('mine: token.env\n');
    expect(run.stdout).not.toContain('backed up');
    const [name] = await receiptNames(box);
    const receipt = parseGraph(await fs.readFile(path.join(box.state, 'receipts', name ?? ''), 'utf8'));
    for (const file of [config, token]) expect(receipt.nodes.find((node) => node.id === `copy:${file}`)?.status).toBe('skipped');
  });

  it('reports a file where a parent directory is needed as a conflict that only skip resolves', async () => {
    const config = path.join(box.home, '.config');
    await fs.writeFile(config, 'a file, not a directory\n');
    const dry = await apply('--dry-run');
    expect(dry.stdout).toMatch(/! conflict +~\/\.config\/git\/config /);
    expect(dry.stdout).toContain(`regular file exists at ${config}, where ${config}/git/config needs a directory`);
    const before = await snapshotHome(box);
    for (const resolution of ['stop', 'backup']) {
      const run = await apply('--conflict', resolution);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain('nothing was changed');
      if (resolution === 'backup') expect(run.stderr).toContain(`backup works at the target, not at ${config}: move it away first, or skip this target`);
      if (resolution === 'stop') expect(run.stderr).toContain(`only skip resolves this, or moving ${config} away`);
      expect(run.stderr).toContain('writ: hint: each conflict above says what can resolve it');
      expect(await snapshotHome(box)).toEqual(before);
      expect(await receiptNames(box)).toEqual([]);
    }
    const skipped = await apply('--conflict', 'skip');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(await fs.readFile(config, 'utf8')).toBe('a file, not a directory\n');
    expect((await fs.lstat(path.join(box.home, '.profile'))).isSymbolicLink()).toBe(true);
  });

  it('gives a failure as a JSON document on stdout with --json (conflicts listed), the one line still on stderr', async () => {
    await fs.writeFile(path.join(box.home, '.profile'), 'mine\n');
    await fs.mkdir(path.join(box.home, '.inputrc'));
    const run = await apply('--json');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^writ: error: 2 conflicts; nothing was changed:/);
    const document = JSON.parse(run.stdout) as { version: number; error: { code: string; exit_code: number; path?: string; conflicts: { path: string; kind: string; resolution: string }[] } };
    expect(document.version).toBe(1);
    expect(document.error).toMatchObject({ code: 'conflict', exit_code: 3 });
    expect(document.error.path).toBeUndefined();
    expect(document.error.conflicts.map((conflict) => conflict.path).sort()).toEqual([path.join(box.home, '.inputrc'), path.join(box.home, '.profile')]);
    expect(document.error.conflicts.every((conflict) => conflict.resolution === 'stop')).toBe(true);
    const usage = await writ(box, ['apply', '--plan', '/nonexistent.yaml', '--target', '/x', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ version: 1, error: { code: 'invalid-input', exit_code: 2 } });
  });

  it('skips a conflicting secret it cannot decrypt, and does not decrypt or render what only skipped targets use', async () => {
    const token = path.join(box.home, '.config/writ-example/token.env');
    const config = path.join(box.home, '.config/git/config');
    for (const file of [token, config]) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'mine\n');
    }
    // No identity: the secret cannot be made, but it is skipped, so the run goes ahead.
    const run = await writ(box, ['apply', ...box.flags, '--conflict', 'skip', ...PROJECTS]);
    expect(run.code, run.stderr).toBe(0);
    expect(await fs.readFile(token, 'utf8')).toBe('mine\n');
    const [name] = await receiptNames(box);
    const receipt = parseGraph(await fs.readFile(path.join(box.state, 'receipts', name ?? ''), 'utf8'));
    const producers = receipt.nodes.filter((node) => node.action === 'secret.decrypt' || node.action === 'template.render');
    expect(producers.map((node) => [node.status, node.error])).toEqual(producers.map(() => ['skipped', expect.stringContaining('its output goes only to skipped nodes')]));
  });

  it('resolves one path with --conflict-path and still stops on the others', async () => {
    await fs.writeFile(path.join(box.home, '.profile'), 'mine\n');
    await fs.writeFile(path.join(box.home, '.bashrc'), 'mine too\n');
    const run = await apply('--conflict-path', '~/.profile=skip');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('1 conflict;');
    expect(run.stderr).toContain('.bashrc');
  });

  it('refuses to start when a secret cannot be decrypted or a template not rendered (exit 2), changing nothing', async () => {
    // A run would fail on them and roll back; preflight already computed them, so it stops first.
    await fs.writeFile(path.join(box.home, '.bashrc'), 'the user bashrc\n');
    await fs.chmod(path.join(box.home, '.bashrc'), 0o640);
    const before = await snapshotHome(box);
    const run = await writ(box, ['apply', ...box.flags, '--conflict', 'backup', ...PROJECTS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^writ: error: 1 target cannot be made; nothing was changed:\n {2}~\/\.config\/writ-example\/token\.env: .*identit/);
    await fs.writeFile(path.join(box.repo, 'base/Home/git/.config/git/config.tmpl'), '{{#if x}}\nunclosed\n');
    const both = await writ(box, ['apply', ...box.flags, '--conflict', 'backup', ...PROJECTS]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('2 targets cannot be made');
    // Each names the file at fault: the template, the identity file.
    expect(both.stderr).toContain(`~/.config/git/config: ${box.repo}/base/Home/git/.config/git/config.tmpl: template syntax error`);
    expect(both.stderr).toContain(`${box.config}/age/identities.txt: no age identity file`);
    expect(await snapshotHome(box)).toEqual(before);
    expect(await receiptNames(box)).toEqual([]);
  });

  it('refuses a --conflict-path naming no target of the plan with exit 2, changing nothing', async () => {
    const before = await snapshotAll(box);
    const run = await apply('--conflict-path', '~/.bashrx=skip');
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`writ: error: --conflict-path: ${path.join(box.home, '.bashrx')} is not a target of this plan (did you mean "~/.bashrc"?)`);
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('refuses an --out in a missing directory before printing anything, JSON or not', async () => {
    const before = await snapshotAll(box);
    const out = path.join(box.dir, 'no-such-dir', 'plan.yaml');
    const run = await apply('--dry-run', '--out', out);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`writ: error: ${path.dirname(out)}: no such directory: the plan was not saved to ${out}`);
    const json = await apply('--dry-run', '--out', out, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 1, error: { code: 'invalid-input', exit_code: 2 } });
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('gives a usage error the parser finds as JSON too when --json was asked for', async () => {
    const run = await writ(box, ['apply', '--bogus', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 1, error: { code: 'invalid-input', exit_code: 2, message: "unknown option '--bogus'" } });
  });

  it('refuses --diff without --dry-run instead of applying silently, and --require-signature without --plan', async () => {
    const before = await snapshotAll(box);
    const diff = await apply('--diff');
    expect(diff.code).toBe(2);
    expect(diff.stderr).toContain('--diff only goes with --dry-run');
    const signature = await apply('--require-signature');
    expect(signature.code).toBe(2);
    expect(signature.stderr).toContain('--require-signature only goes with --plan FILE');
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('reports a bad flag in one line with a hint and exit 2', async () => {
    const run = await writ(box, ['apply', ...box.flags, '--conflict-path', 'nonsense']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('writ: error: --conflict-path "nonsense" is not PATH=RESOLUTION\nwrit: hint: write it as --conflict-path ~/.bashrc=backup\n');
  });
});

describe('writ apply --plan', () => {
  it('applies a saved plan exactly when nothing drifted', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const run = await writ(box, ['apply', '--plan', file, '--identity', box.identity]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/7 linked, 2 copied/);
  });

  it('previews a saved plan with --dry-run: verified, checked for drift, its purchase order, nothing written', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const checksum = parseGraph(await fs.readFile(file, 'utf8')).checksum;
    const before = await snapshotAll(box);
    const run = await writ(box, ['apply', '--plan', file, '--dry-run', '--identity', box.identity]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('writ purchase order');
    expect(run.stdout).toContain(`+ create  ~/.profile`);
    expect(run.stdout).toContain(`plan checksum ${checksum}`);
    expect(await snapshotAll(box)).toEqual(before);
    await fs.writeFile(path.join(box.home, '.profile'), 'appeared later\n');
    const stale = await writ(box, ['apply', '--plan', file, '--dry-run', '--identity', box.identity]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain('the plan is stale: 1 path changed');
  });

  it.each([
    [['--target', '/elsewhere'], '--target'],
    [['shell'], 'PROJECT arguments (shell)'],
    [['--repo', '/elsewhere', '-s', 'OS=Darwin'], '--repo, --segment'],
    [['--out', 'again.yaml'], '--out'],
  ])('refuses %j with --plan (it runs the plan as saved) with exit 2, changing nothing', async (extra, named) => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const before = await snapshotAll(box);
    const run = await writ(box, ['apply', '--plan', file, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`writ: error: --plan runs the plan exactly as saved; ${named} cannot change it`);
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('refuses a stale plan with exit 4 naming the drifted path, changing nothing', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    await fs.writeFile(path.join(box.home, '.profile'), 'appeared later\n');
    const before = await snapshotAll(box);
    const run = await writ(box, ['apply', '--plan', file, '--identity', box.identity]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('the plan is stale: 1 path changed');
    expect(run.stderr).toContain(`${path.join(box.home, '.profile')}: was missing, now file:sha256:`);
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('refuses a plan whose template or link source changed since it was saved (exit 4 naming each), changing nothing', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const template = path.join(box.repo, 'base/Home/git/.config/git/config.tmpl');
    await fs.appendFile(template, '[changed]\n');
    const linked = path.join(box.repo, 'base/Home/shell/.profile');
    await fs.rm(linked);
    const before = await snapshotAll(box);
    const run = await writ(box, ['apply', '--plan', file, '--identity', box.identity]);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain('the plan is stale: 2 paths changed');
    expect(run.stderr).toContain(`${template} (source of ${path.join(box.home, '.config/git/config')}): was file:sha256:`);
    expect(run.stderr).toContain(`${linked} (source of ${path.join(box.home, '.profile')}): was file:sha256:`);
    expect(run.stderr).toMatch(/, now missing\n/);
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('still applies a saved plan whose linked sources were only edited (a link follows its source)', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    await fs.appendFile(path.join(box.repo, 'base/Home/shell/.profile'), '# edited\n');
    const run = await writ(box, ['apply', '--plan', file, '--identity', box.identity]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('refuses a plan whose bytes were changed with exit 4', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('Kim Example', 'Eve Example'));
    const run = await writ(box, ['apply', '--plan', file]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('checksum mismatch');
  });

  it('signs the saved plan when a signing key exists, and --require-signature accepts it', async () => {
    const keygen = spawnSync(process.execPath, [path.join(ROOT, 'bin/receipts.js'), 'keygen'], { env: sandboxEnv(box), encoding: 'utf8' });
    expect(keygen.status).toBe(0);
    const file = path.join(box.dir, 'plan.yaml');
    const saved = await apply('--out', file);
    expect(saved.stderr).toContain('(signed, checksum sha256:');
    expect(parseGraph(await fs.readFile(file, 'utf8')).signature?.method).toBe('ed25519');
    const run = await writ(box, ['apply', '--plan', file, '--require-signature', '--identity', box.identity]);
    expect(run.code).toBe(0);
  });

  it('honours --conflict for the conflicts the saved plan left at stop', async () => {
    await fs.writeFile(path.join(box.home, '.profile'), 'mine\n');
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const run = await writ(box, ['apply', '--plan', file, '--identity', box.identity, '--conflict', 'backup']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/7 linked, 2 copied, 1 backed up/);
    expect(await fs.readlink(path.join(box.home, '.profile'))).toBe(path.join(box.repo, 'base/Home/shell/.profile'));
  });

  it('says there is nothing to do and writes no receipt, like a normal apply', async () => {
    expect((await apply()).code).toBe(0);
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const before = await snapshotAll(box);
    const run = await writ(box, ['apply', '--plan', file, '--identity', box.identity]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing to do: all 9 targets are up to date (no receipt written)');
    expect(await snapshotAll(box)).toEqual(before);
  });

  it('refuses an unsigned plan with --require-signature', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await apply('--out', file)).code).toBe(0);
    const run = await writ(box, ['apply', '--plan', file, '--require-signature']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('not signed');
  });
});

describe('writ status and diff', () => {
  it('reports ok, missing, modified, replaced and orphan', async () => {
    expect((await apply()).code).toBe(0);
    await fs.rm(path.join(box.home, '.bashrc'));
    await fs.appendFile(path.join(box.home, '.config/git/config'), '# edited\n');
    await fs.rm(path.join(box.home, '.inputrc'));
    await fs.symlink('/etc/hostname', path.join(box.home, '.inputrc'));
    await fs.rm(path.join(box.repo, 'base/Home/git/.config/git/ignore'));
    const run = await writ(box, ['status', '--identity', box.identity]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const statusOf = (target: string) => lines.find((line) => line.includes(` ${target} `) || line.endsWith(` ${target}`))?.split(/\s+/)[0];
    expect(statusOf('~/.bashrc')).toBe('missing');
    expect(statusOf('~/.config/git/config')).toBe('modified');
    expect(statusOf('~/.inputrc')).toBe('replaced');
    expect(statusOf('~/.config/git/ignore')).toBe('orphan');
    expect(statusOf('~/.profile')).toBe('ok');
    expect(run.stdout).toMatch(/9 files: \d+ ok, 1 missing, 1 modified, 1 replaced, 1 orphan/);
  });

  it('keeps two targets deployed from one state dir apart: --target scopes status, and neither is orphaned by the other', async () => {
    const other = path.join(box.dir, 'other');
    await fs.mkdir(other);
    const layers = box.flags.slice(0, box.flags.indexOf('--target'));
    expect((await writ(box, ['apply', ...layers, '--target', box.home, 'shell'])).code).toBe(0);
    expect((await writ(box, ['apply', ...layers, '--target', other, 'shell'])).code).toBe(0);
    for (const target of [box.home, other]) {
      const run = await writ(box, ['status', '--target', target, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const files = (JSON.parse(run.stdout) as { files: { path: string; status: string }[] }).files;
      expect(files.length).toBeGreaterThan(0);
      expect(files.every((file) => file.path.startsWith(target + path.sep))).toBe(true);
      expect(files.filter((file) => file.status !== 'ok')).toEqual([]);
    }
    const all = await writ(box, ['status', '--json']);
    const files = (JSON.parse(all.stdout) as { files: { path: string; status: string }[] }).files;
    expect(files.some((file) => file.path.startsWith(box.home + path.sep))).toBe(true);
    expect(files.filter((file) => file.status !== 'ok')).toEqual([]);
    // remove --target takes the project out of that target only.
    const home = await snapshotHome(box);
    const removed = await writ(box, ['remove', 'shell', '--target', other]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await fs.readdir(other)).toEqual([]);
    expect(await snapshotHome(box)).toEqual(home);
    const again = await writ(box, ['remove', 'shell', '--target', other]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`nothing of "shell" is deployed in ${other}`);
  });

  it('reports source-changed when a template renders differently now', async () => {
    expect((await apply()).code).toBe(0);
    const config = path.join(box.repo, 'base/writ.yaml');
    await fs.writeFile(config, (await fs.readFile(config, 'utf8')).replace('Kim Example', 'Kim Changed'));
    const run = await writ(box, ['status', '--json', '--identity', box.identity]);
    const parsed = JSON.parse(run.stdout) as { files: { path: string; status: string }[] };
    const byPath = Object.fromEntries(parsed.files.map((file) => [path.relative(box.home, file.path), file.status]));
    expect(byPath['.config/git/config']).toBe('source-changed');
    expect(byPath['.bashrc']).toBe('ok');
  });

  it('says a secret\'s source was not compared when status has no identity to decrypt it', async () => {
    expect((await apply()).code).toBe(0);
    const run = await writ(box, ['status', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as { files: { path: string; status: string; detail: string }[] };
    const secret = parsed.files.find((file) => file.path.endsWith('token.env'));
    expect(secret).toMatchObject({ status: 'ok' });
    expect(secret?.detail).toMatch(/^source not compared: .*identit/);
  });

  it('notes each secret it cannot decrypt and still prints the other diffs, like apply --dry-run --diff', async () => {
    await fs.mkdir(box.config, { recursive: true });
    await fs.writeFile(path.join(box.config, 'writ.yaml'), 'projects: [git, secrets]\n');
    const run = await writ(box, ['diff', ...box.flags]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`writ: warning: ~/.config/writ-example/token.env: not diffed: ${box.config}/age/identities.txt: no age identity file (from the config dir)\n`);
    expect(run.stdout).toContain('+\tname = Kim Example');
    const json = await writ(box, ['diff', ...box.flags, '--json']);
    const parsed = JSON.parse(json.stdout) as { diffs: unknown[]; unknown: { target: string; reason: string }[] };
    expect(parsed.diffs.length).toBeGreaterThan(0);
    expect(parsed.unknown).toEqual([{ target: path.join(box.home, '.config/writ-example/token.env'), reason: `${box.config}/age/identities.txt: no age identity file (from the config dir)` }]);
  });

  it('prints what apply would change as unified diffs, for the paths asked', async () => {
    expect((await apply()).code).toBe(0);
    await fs.appendFile(path.join(box.home, '.config/git/config'), '# edited\n');
    const run = await writ(box, ['diff', ...box.flags, '--identity', box.identity, '~/.config/git']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--- a/');
    expect(run.stdout).toContain('-# edited');
    expect(run.stdout).not.toContain('.bashrc');
    // Relative to the target, as the purchase order names targets, wherever writ runs from.
    const relative = await writ(box, ['diff', ...box.flags, '--identity', box.identity, '.config/git/config']);
    expect(relative.code, relative.stderr).toBe(0);
    expect(relative.stdout).toContain('-# edited');
  });

  it('refuses a PATH that is no target of the plan (exit 2), instead of printing nothing', async () => {
    const run = await writ(box, ['diff', ...box.flags, '--identity', box.identity, '~/.config/git', '/nonexistent', '~/.nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('writ: error: /nonexistent, ~/.nope: not targets of the plan (nor a directory holding one)');
    expect(run.stdout).toBe('');
  });
});

describe('writ rollback and remove', () => {
  it('rolls the latest run back to a byte-identical home, backed-up files included', async () => {
    await fs.writeFile(path.join(box.home, '.profile'), 'the user profile\n', { mode: 0o600 });
    const before = await snapshotHome(box);
    expect((await apply('--conflict', 'backup')).code).toBe(0);
    const run = await writ(box, ['rollback']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rolled back writ-\S+: 9 undone — receipt writ-/);
    expect(await snapshotHome(box)).toEqual(before);
    const again = await writ(box, ['rollback']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no writ run to roll back');
  });

  it('refuses with exit 3 naming a path changed since, and rolls back anyway with --force', async () => {
    expect((await apply()).code).toBe(0);
    const config = path.join(box.home, '.config/git/config');
    await fs.appendFile(config, '# my edit\n');
    const before = await snapshotAll(box);
    const refused = await writ(box, ['rollback', 'latest']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^writ: error: 1 path writ-\S+ changed has drifted since; nothing was changed:$/m);
    expect(refused.stderr).toContain(`${config}: left as file:sha256:`);
    expect(await snapshotAll(box)).toEqual(before);
    const forced = await writ(box, ['rollback', '--force']);
    expect(forced.code).toBe(0);
    await expect(fs.readdir(box.home)).resolves.toEqual([]);
    const saved = await fs.readdir(path.join(box.state, 'backups'), { recursive: true });
    expect(saved.some((name) => name.endsWith('config'))).toBe(true);
  });

  it('removes a project, keeping a copy edited since unless --force', async () => {
    expect((await apply()).code).toBe(0);
    const config = path.join(box.home, '.config/git/config');
    await fs.appendFile(config, '# my edit\n');
    const run = await writ(box, ['remove', 'git']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`kept ${config}`);
    await expect(fs.lstat(path.join(box.home, '.config/git/ignore'))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(config, 'utf8')).toContain('# my edit');
    expect((await fs.lstat(path.join(box.home, '.bashrc'))).isSymbolicLink()).toBe(true);
    const forced = await writ(box, ['remove', 'git', '--force']);
    expect(forced.code).toBe(0);
    await expect(fs.lstat(config)).rejects.toThrow(/ENOENT/);
    const status = await writ(box, ['status', '--json']);
    const files = (JSON.parse(status.stdout) as { files: { path: string }[] }).files.map((f) => path.relative(box.home, f.path));
    expect(files).not.toContain('.config/git/config');
    expect(files).toContain('.bashrc');
  });

  it('removes a path deployed by two runs back to what was there before writ, not to the older link', async () => {
    await fs.writeFile(path.join(box.home, '.bashrc'), 'the user bashrc\n');
    const before = await snapshotHome(box);
    expect((await apply('--conflict', 'backup')).code).toBe(0);
    await fs.cp(path.join(box.repo, 'base/Home/shell/.bashrc'), path.join(box.repo, 'personal/Home/shell/.bashrc'));
    const redeploy = await apply();
    expect(redeploy.code).toBe(0);
    expect(redeploy.stdout).toMatch(/^1 linked, 0 copied, 1 backed up, 8 unchanged/m);
    expect(await fs.readlink(path.join(box.home, '.bashrc'))).toBe(path.join(box.repo, 'personal/Home/shell/.bashrc'));
    expect((await writ(box, ['remove', ...PROJECTS])).code).toBe(0);
    expect(await snapshotHome(box)).toEqual(before);
  });

  it('removes a copy re-deployed over an edit back to the file before writ, keeping the edit in the backups', async () => {
    const config = path.join(box.home, '.config/git/config');
    await fs.mkdir(path.dirname(config), { recursive: true });
    await fs.writeFile(config, 'the config before writ\n');
    const before = await snapshotHome(box);
    expect((await apply('--conflict', 'backup')).code).toBe(0);
    await fs.appendFile(config, '# my edit\n');
    expect((await apply('--conflict', 'overwrite')).code).toBe(0);
    const run = await writ(box, ['remove', ...PROJECTS]);
    expect(run.stderr).toContain(`${config}: the version a later apply replaced stays in the backups`);
    expect(run.code).toBe(0);
    expect(await snapshotHome(box)).toEqual(before);
    const backups = path.join(box.state, 'backups');
    const saved = (await fs.readdir(backups, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    const contents = await Promise.all(saved.map((entry) => fs.readFile(path.join(entry.parentPath, entry.name), 'utf8')));
    expect(contents.some((text) => text.includes('# my edit'))).toBe(true);
    expect((await writ(box, ['status', '--json'])).stdout).not.toContain('.config/git/config');
  });
});
