import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyStore, ReceiptStore } from '../../src/index.js';
import { makeTempDir, removeTempDir, sampleGraph } from '../receipts/helpers.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'receipts.js');

let dir: string;
let env: Record<string, string>;

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-e2e-receipts-');
  env = { ...process.env, WRIT_LORE_STATE_DIR: path.join(dir, 'state'), WRIT_LORE_CONFIG_DIR: path.join(dir, 'config') } as Record<string, string>;
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
});
afterEach(async () => removeTempDir(dir));

function receipts(...argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...argv], { env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('receipts (built CLI)', () => {
  it('generates a key, signs receipts, verifies them and exits 4 on a tampered byte', async () => {
    const keygen = receipts('keygen');
    expect(keygen.code).toBe(0);
    const keyId = keygen.stdout.trim();
    const store = new ReceiptStore({ stateDir: env['WRIT_LORE_STATE_DIR'] ?? '', keys: new KeyStore(env['WRIT_LORE_CONFIG_DIR'] ?? '') });
    const written = await store.write(sampleGraph());
    expect(written.graph.signature?.key_id).toBe(keyId);
    const ok = receipts('verify', '--all');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`signed by ${keyId}`);
    const bytes = await fs.readFile(written.path);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x20;
    await fs.writeFile(written.path, bytes);
    const bad = receipts('verify', '--all');
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain(written.stem);
  });

  it('prints no colour when stdout is not a terminal and exits 2 on a bad --since', async () => {
    const store = new ReceiptStore({ stateDir: env['WRIT_LORE_STATE_DIR'] ?? '' });
    await store.write(sampleGraph());
    const view = receipts('view');
    expect(view.code).toBe(0);
    expect(view.stdout).not.toContain('\u001b[');
    expect(view.stdout).toContain('writ-2026-11-01T12-00-00-000Z');
    const bad = receipts('view', '--since', '7x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'receipts: error: invalid --since "7x": use 30m, 24h, 7d, 2w or an ISO date such as 2026-11-01\n' +
        'receipts: hint: relative values count back from now; ISO dates and times without a zone are UTC\n',
    );
  });

  it('shows help with examples for a subcommand', () => {
    const help = receipts('view', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('receipts view --since 24h --tool writ');
  });
});
