import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/writ.js';
import { ReceiptStore } from '../../src/index.js';
import { outputSink } from '../helpers/output-sink.js';
import { sampleGraph } from '../receipts/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = path.join(ROOT, 'fixtures/dotfiles');

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'writ-cli-'));
  await fs.mkdir(path.join(dir, 'home'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs `writ argv…` in-process with captured output and the temp dir's state and config. */
async function writ(argv: readonly string[], options: { tty?: boolean } = {}) {
  const stdout = outputSink();
  const stderr = outputSink();
  if (options.tty === true) Object.assign(stderr.stream, { isTTY: true });
  const env = { WRIT_LORE_STATE_DIR: path.join(dir, 'state'), WRIT_LORE_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1', HOME: path.join(dir, 'home') };
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** One journal line: the CRC-32 of the JSON body, then the body. */
function journalLine(record: unknown): string {
  const body = JSON.stringify(record);
  return `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

const SUBCOMMANDS = ['apply', 'status', 'diff', 'recover', 'rollback', 'remove'];

describe('writ command line', () => {
  it.each(SUBCOMMANDS)('shows help with examples for %s', async (name) => {
    const run = await writ([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: writ ${name}`);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain(`$ writ ${name}`);
  });

  it('lists every subcommand in the top-level help', async () => {
    const run = await writ(['--help']);
    for (const name of SUBCOMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it.each([
    [['apply', '--jobs', '0', '--repo', path.join(FIXTURES, 'base')], 'writ: error: --jobs must be a whole number ≥ 1, not "0"'],
    [['apply', '--conflict', 'maybe'], "writ: error: option '--conflict <resolution>' argument 'maybe' is invalid"],
    [['apply'], 'writ: error: no writ repository given'],
    [['apply', '--repo', path.join(FIXTURES, 'base'), 'nosuchproject'], 'writ: error: project "nosuchproject" has no directory in any layer'],
    [['rollback', 'writ-2020-01-01T00-00-00-000Z'], 'writ: error: no writ receipt writ-2020-01-01T00-00-00-000Z'],
    [['remove'], "writ: error: missing required argument 'projects'"],
  ])('reports %j as one error line and exit 2', async (argv, message) => {
    const run = await writ(argv);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('dry-runs the example in-process and applies it', async () => {
    const flags = ['--repo', path.join(FIXTURES, 'base'), '--target', path.join(dir, 'home'), 'shell'];
    const dry = await writ(['apply', '--dry-run', ...flags]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^ {2}\+ create {2}~\/\.bashrc {2,}link ← base\/shell$/m);
    expect(dry.stdout).toMatch(/^3 targets: 3 to create, 0 to replace, 0 unchanged, 0 conflicts$/m);
    const applied = await writ(['apply', '--json', ...flags]);
    expect(applied.code).toBe(0);
    const parsed = JSON.parse(applied.stdout) as { state: string; receipt: string };
    expect(parsed.state).toBe('executed');
    expect(path.basename(parsed.receipt)).toMatch(/^writ-.*\.yaml$/);
  });

  it('counts one target, one conflict and one file in the singular', async () => {
    const flags = ['--repo', path.join(FIXTURES, 'base'), '--target', path.join(dir, 'home'), 'all'];
    await fs.writeFile(path.join(dir, 'home', '.inputrc'), 'mine\n');
    const dry = await writ(['apply', '--dry-run', ...flags]);
    expect(dry.stdout).toMatch(/^1 target: 0 to create, 0 to replace, 0 unchanged, 1 conflict$/m);
    expect((await writ(['apply', '--conflict', 'backup', ...flags])).code).toBe(0);
    const again = await writ(['apply', ...flags]);
    expect(again.stdout).toBe('nothing to do: the 1 target is up to date (no receipt written)\n');
    expect((await writ(['status'])).stdout).toMatch(/^1 file, all as deployed$/m);
  });

  it('draws progress in place on a TTY and plain lines otherwise', async () => {
    const flags = ['apply', '--repo', path.join(FIXTURES, 'base'), '--target', path.join(dir, 'home'), 'shell'];
    const live = await writ(flags, { tty: true });
    expect(live.code).toBe(0);
    expect(live.stderr).toContain('\r\u001b[2K[1/3] ~/.bashrc');
    expect(live.stderr.endsWith('\r\u001b[2K')).toBe(true);
    await fs.rm(path.join(dir, 'state'), { recursive: true });
    await fs.rm(path.join(dir, 'home'), { recursive: true });
    const plain = await writ(flags);
    expect(plain.stderr).toBe('linked   ~/.bashrc\nlinked   ~/.bashrc.d/linux.sh\nlinked   ~/.profile\n');
  });

  it('says there is nothing to recover when no run was interrupted', async () => {
    const run = await writ(['recover']);
    expect(run).toEqual({ code: 0, stdout: 'nothing to recover: no interrupted run\n', stderr: '' });
  });

  it("points to 'lore recover' for a lore run whose rollback is unfinished, leaving it alone", async () => {
    const store = new ReceiptStore({ stateDir: path.join(dir, 'state') });
    const run = sampleGraph({ tool: 'lore', state: 'interrupted', nodes: 1 });
    const { stem } = await store.write({ ...run, nodes: run.nodes.map((node) => ({ ...node, undo: { kind: 'place', path: '/nowhere' } })) });
    const result = await writ(['recover']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('nothing to recover: no interrupted writ run\n');
    expect(result.stderr).toBe(`writ: warning: ${stem}: a lore run whose rollback is unfinished; run 'lore recover'\n`);
  });

  it("names 'lore recover' for a lore journal in the warning and the refusal of apply", async () => {
    const receipts = path.join(dir, 'state', 'receipts');
    await fs.mkdir(receipts, { recursive: true });
    const stem = 'lore-2026-11-25T06-27-54-374Z';
    const start = { kind: 'run-start', v: 1, run: stem, tool: 'lore', timestamp: '2026-11-25T06:27:54.374Z', started_at: '2026-11-25T06:27:54.387Z', pid: 1, platform: { os: 'linux', arch: 'x64' }, context: {} };
    await fs.writeFile(path.join(receipts, `${stem}.journal`), journalLine(start));
    const run = await writ(['apply', '--repo', path.join(FIXTURES, 'base'), '--target', path.join(dir, 'home'), 'shell']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`writ: warning: an interrupted run (${stem}.journal) has not been recovered: run 'lore recover'\n`);
    expect(run.stderr).toContain("writ: hint: run 'lore recover' to roll it back first\n");
  });
});

describe('writ start-up', () => {
  /** Static imports of a TypeScript source file, resolved to source paths. */
  function staticImports(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^import (?!type)[^'"]*from '(\.[^']+)';$/gm)].map((match) => match[1] ?? '');
    return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
  }

  it('loads only the error module of the library before a command runs (fast --help)', () => {
    const seen = new Set<string>();
    const queue = [path.join(ROOT, 'cli/writ.ts')];
    while (queue.length > 0) {
      const file = queue.pop() ?? '';
      if (seen.has(file)) continue;
      seen.add(file);
      queue.push(...staticImports(file));
    }
    const library = [...seen].filter((file) => file.startsWith(path.join(ROOT, 'src'))).map((file) => path.relative(ROOT, file));
    expect(library).toEqual(['src/graph/errors.ts']);
  });
});
