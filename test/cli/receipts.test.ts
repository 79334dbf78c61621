import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, ReceiptStore } from '../../src/index.js';
import { makeTempDir, packageGraph, removeTempDir, sampleGraph } from '../receipts/helpers.js';
import { runReceipts } from './receipts-helpers.js';

let dir: string;
let dirs: { stateDir: string; configDir: string };
let store: ReceiptStore;

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-cli-receipts-');
  dirs = { stateDir: path.join(dir, 'state'), configDir: path.join(dir, 'config') };
  store = new ReceiptStore({ stateDir: dirs.stateDir, keys: new KeyStore(dirs.configDir) });
});
afterEach(async () => removeTempDir(dir));

const run = (...argv: string[]) => runReceipts(argv, dirs);

describe('receipts view', () => {
  beforeEach(async () => {
    await store.write(sampleGraph({ timestamp: '2026-11-02T08:00:00.000Z', nodes: 5 }));
    await store.write(packageGraph(['ripgrep'], '2026-11-01T09:30:00.000Z'));
    await store.write(sampleGraph({ timestamp: '2026-11-03T10:00:00.000Z', state: 'rolled_back', nodes: 2 }));
  });

  it('prints an aligned table of runs, newest last', async () => {
    const result = await run('view');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+TOOL\s+STATE\s+NODES\s+DONE\s+FAILED\s+UNDONE\s+SKIPPED\s+SIGNED\s+NAME$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).at(-1))).toEqual([
      'lore-2026-11-01T09-30-00-000Z',
      'writ-2026-11-02T08-00-00-000Z',
      'writ-2026-11-03T10-00-00-000Z',
    ]);
    expect(new Set(lines.map((line) => line.indexOf('NAME') === -1 ? line.lastIndexOf(' ') : line.indexOf('NAME') - 1)).size).toBe(1);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('filters with --since, --until and --tool', async () => {
    const result = await run('view', '--since', '2026-11-02', '--until', '2026-11-02', '--tool', 'writ', '--json');
    const json = JSON.parse(result.stdout) as { receipts: { name: string }[] };
    expect(json.receipts.map((receipt) => receipt.name)).toEqual(['writ-2026-11-02T08-00-00-000Z']);
  });

  it('emits stable JSON with --json', async () => {
    const json = JSON.parse((await run('view', '--json')).stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['version', 'receipts', 'journals', 'problems']);
    expect((json['receipts'] as unknown[])[1]).toEqual({
      name: 'writ-2026-11-02T08-00-00-000Z',
      tool: 'writ',
      time: '2026-11-02T08:00:00.000Z',
      state: 'executed',
      nodes: 5,
      by_status: { completed: 5 },
      signed_by: null,
    });
  });

  it('shows one file history with --file', async () => {
    const result = await run('view', '--file', '/home/user/.config/app-1/file-1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('file.link');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('shows one package history with --package', async () => {
    const result = await run('view', '--package', 'ripgrep', '--json');
    const json = JSON.parse(result.stdout) as { history: { version: string; action: string }[] };
    expect(json.history).toEqual([expect.objectContaining({ action: 'install', version: '1.0.0' })]);
  });

  it('prints the deployed tree with --tree, marking links, copies and missing files', async () => {
    const result = await run('view', '--tree');
    expect(result.stdout).toContain('/home/user/.config');
    expect(result.stdout).toMatch(/├── app-0\n│   └── file-0 -> \/repo\/base\/dot-0 \[missing\]/);
    expect(result.stdout).toMatch(/file-4 \[copy\] \[missing\]/);
    expect(result.stdout).toContain('4 links, 1 copy,');
  });

  it.each([
    [['--since', '7x'], 'invalid --since "7x": use 30m, 24h, 7d, 2w or an ISO date such as 2026-11-01'],
    [['--until', 'yesterday'], 'invalid --until "yesterday"'],
    [['--tool', 'make'], 'invalid --tool "make"'],
    [['--tree', '--file', 'x'], '--file, --package and --tree cannot be combined'],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    const result = await run('view', ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`receipts: error: ${message}`);
  });

  it('reports a corrupt receipt by name, shows the rest, and exits 4', async () => {
    await fs.appendFile(store.pathOf('writ-2026-11-02T08-00-00-000Z'), '# edited\n');
    const result = await run('view');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('skipped receipt writ-2026-11-02T08-00-00-000Z');
    expect(result.stdout).toContain('writ-2026-11-03T10-00-00-000Z');
  });

  it('names runs that have a journal but no receipt', async () => {
    await fs.writeFile(path.join(store.layout.receipts, 'writ-2026-11-04T00-00-00-000Z.journal'), '');
    const result = await run('view');
    expect(result.stderr).toContain('writ-2026-11-04T00-00-00-000Z.journal: a run without a receipt');
  });
});

describe('receipts show', () => {
  it('summarises the latest receipt', async () => {
    await store.write(sampleGraph({ nodes: 3 }));
    const result = await run('show', 'latest');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^receipt\s+writ-2026-11-01T12-00-00-000Z$/m);
    expect(result.stdout).toMatch(/^state\s+executed$/m);
    expect(result.stdout).toMatch(/^nodes\s+3 completed$/m);
  });

  it('prints the canonical YAML with --yaml and JSON with --json', async () => {
    const written = await store.write(sampleGraph());
    expect((await run('show', written.stem, '--yaml')).stdout).toBe(await fs.readFile(written.path, 'utf8'));
    const json = JSON.parse((await run('show', written.stem, '--json')).stdout) as { checksum: string };
    expect(json.checksum).toBe(written.graph.checksum);
  });

  it('exits 4 naming a tampered receipt', async () => {
    const written = await store.write(sampleGraph());
    await fs.writeFile(written.path, (await fs.readFile(written.path, 'utf8')).replace('dot-1', 'dot-X'));
    const result = await run('show', 'latest');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('writ-2026-11-01T12-00-00-000Z.yaml');
  });

  it('exits 2 when there are no receipts', async () => {
    const result = await run('show', 'latest');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('there are no receipts');
  });
});

describe('receipts keygen, trust and verify', () => {
  it('creates a 0600 private key and prints the key id', async () => {
    const result = await run('keygen');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ed25519:[0-9a-f]{16}\n$/);
    const stats = await fs.stat(path.join(dirs.configDir, 'keys', 'signing.key'));
    expect(stats.mode & 0o777).toBe(0o600);
    expect((await run('keygen')).code).toBe(2);
    expect((await run('keygen', '--force')).code).toBe(0);
  });

  it('verifies signed receipts and exits 4 naming a tampered one', async () => {
    await run('keygen');
    const signing = new ReceiptStore({ stateDir: dirs.stateDir, keys: new KeyStore(dirs.configDir) });
    const good = await signing.write(sampleGraph({ timestamp: '2026-11-01T00:00:00.000Z' }));
    const bad = await signing.write(sampleGraph({ timestamp: '2026-11-02T00:00:00.000Z' }));
    expect((await run('verify', '--all')).code).toBe(0);
    const bytes = await fs.readFile(bad.path);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
    await fs.writeFile(bad.path, bytes);
    const result = await run('verify', '--all');
    expect(result.code).toBe(4);
    expect(result.stdout).toContain(`ok    ${good.stem}`);
    expect(result.stdout).toContain(`FAIL  ${bad.stem}`);
    expect(result.stderr).toContain(`1 of 2 receipts failed verification: ${bad.stem}`);
  });

  it('reports a removed signature as unsigned, and fails it with --require-signature', async () => {
    await run('keygen');
    const signing = new ReceiptStore({ stateDir: dirs.stateDir, keys: new KeyStore(dirs.configDir) });
    const written = await signing.write(sampleGraph());
    const text = await fs.readFile(written.path, 'utf8');
    await fs.writeFile(written.path, text.replace(/\nsignature:\n(?: {2}.*\n)+/, '\n'));
    const plain = await run('verify', written.stem);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('unsigned');
    const strict = await run('verify', written.stem, '--require-signature', '--json');
    expect(strict.code).toBe(4);
    const json = JSON.parse(strict.stdout) as { results: { signature: { kind: string }; problems: string[] }[] };
    expect(json.results[0]?.signature.kind).toBe('unsigned');
    expect(json.results[0]?.problems).toEqual(['not signed (a signature is required)']);
  });

  it('trusts a public key from another machine', async () => {
    const other = new KeyStore(path.join(dir, 'laptop'));
    const key = await other.generate();
    const foreign = new ReceiptStore({ stateDir: dirs.stateDir, keys: other });
    const written = await foreign.write(sampleGraph());
    expect((await run('verify', written.stem)).code).toBe(4);
    const trusted = await run('trust', other.layout.signingPublicKey);
    expect(trusted.stdout).toBe(`trusted ${key.keyId}\n`);
    expect((await run('verify', written.stem)).code).toBe(0);
  });

  it('exits 2 when verify is given nothing to verify', async () => {
    const result = await run('verify');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--all');
  });

  it('exits 2 naming a receipt that does not exist, without calling it changed', async () => {
    const result = await run('verify', 'writ-nosuch');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^receipts: error: .*no receipt writ-nosuch\.yaml/mu);
    expect(result.stderr).not.toContain('changed');
  });
});

describe('receipts prune', () => {
  async function backupFor(stem: string, bytes: number): Promise<void> {
    const directory = path.join(dirs.stateDir, 'backups', stem);
    await fs.mkdir(directory, { recursive: true });
    await fs.writeFile(path.join(directory, 'x'), 'b'.repeat(bytes));
  }

  it('removes old backups and says what it freed', async () => {
    await store.write(sampleGraph({ timestamp: '2026-11-01T00:00:00.000Z', state: 'rolled_back' }));
    await backupFor('writ-2026-11-01T00-00-00-000Z', 2048);
    await backupFor('writ-2026-11-02T00-00-00-000Z', 10);
    const result = await run('prune', '--keep', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('removed writ-2026-11-01T00-00-00-000Z (2.0 KiB)\nfreed 2.0 KiB\n');
  });

  it.each([
    [[], 'give exactly one of --keep N and --older-than AGE'],
    [['--keep', '1', '--older-than', '7d'], 'give exactly one of'],
    [['--keep', 'many'], 'invalid --keep "many"'],
    [['--older-than', '7x'], 'invalid --older-than "7x"'],
  ])('exits 2 for %j', async (argv, message) => {
    const result = await run('prune', ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
