import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, makeSandbox, sandboxEnv, writ, type Sandbox } from './writ-helpers.js';

/*
 * `writ apply --plan FILE --require-signature`: the flag is about the plan file alone, and each
 * refusal says which check failed (built CLIs, a sandbox per case).
 */

let box: Sandbox;

beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => fs.rm(box.dir, { recursive: true, force: true }));

function receipts(args: readonly string[], env: NodeJS.ProcessEnv = sandboxEnv(box)) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/receipts.js'), ...args], { env, encoding: 'utf8' });
}

const savePlan = (file: string) => writ(box, ['apply', ...box.flags, '--identity', box.identity, '--dry-run', '--out', file, 'shell']);

describe('writ apply --plan --require-signature', () => {
  it('applies a signed plan although the receipts written before keygen are unsigned', async () => {
    expect((await writ(box, ['apply', ...box.flags, '--identity', box.identity, 'all'])).code).toBe(0);
    expect(receipts(['keygen']).status).toBe(0);
    const file = path.join(box.dir, 'plan.yaml');
    expect((await savePlan(file)).code).toBe(0);
    const run = await writ(box, ['apply', '--plan', file, '--require-signature', '--identity', box.identity]);
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
  });

  it('says "not signed" for an unsigned plan, not that it was changed', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await savePlan(file)).code).toBe(0);
    const run = await writ(box, ['apply', '--plan', file, '--require-signature']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^writ: error: .*plan\.yaml: not signed/);
    expect(run.stderr).not.toMatch(/changed/);
  });

  it('says "signed by untrusted key <id>" for a plan signed elsewhere', async () => {
    const laptop = { ...sandboxEnv(box), WRIT_LORE_CONFIG_DIR: path.join(box.dir, 'laptop') };
    const keyId = receipts(['keygen'], laptop).stdout.trim().split('\n')[0] ?? '';
    expect(keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    const file = path.join(box.dir, 'plan.yaml');
    const saved = spawnSync(process.execPath, [path.join(ROOT, 'bin/writ.js'), 'apply', ...box.flags, '--identity', box.identity, '--dry-run', '--out', file, 'shell'], { env: laptop, encoding: 'utf8' });
    expect(saved.status).toBe(0);
    const run = await writ(box, ['apply', '--plan', file]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`plan.yaml: signed by untrusted key ${keyId}`);
    expect(run.stderr).toContain('receipts trust');
    expect(run.stderr).not.toMatch(/changed/);
  });

  it('says "checksum mismatch (the file was changed or renamed)" for an edited plan', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await savePlan(file)).code).toBe(0);
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('shell', 'shell2'));
    const run = await writ(box, ['apply', '--plan', file]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('plan.yaml: checksum mismatch (the file was changed or renamed)');
  });

  it('says a renamed plan may only have been renamed, and how to use it', async () => {
    const file = path.join(box.dir, 'plan.yaml');
    expect((await savePlan(file)).code).toBe(0);
    const copy = path.join(box.dir, 'copy.yaml');
    await fs.copyFile(file, copy);
    const run = await writ(box, ['apply', '--plan', copy]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('copy.yaml: checksum mismatch (the file was changed or renamed)');
    expect(run.stderr).toContain('the checksum binds the file name too: use the name it was saved under');
  });
});

describe('receipts verify --require-signature', () => {
  it('names an unsigned receipt "not signed" and does not call it changed', async () => {
    expect((await writ(box, ['apply', ...box.flags, '--identity', box.identity, 'all'])).code).toBe(0);
    const run = receipts(['verify', 'latest', '--require-signature']);
    expect(run.status).toBe(4);
    expect(run.stdout).toMatch(/FAIL\s+writ-\S+\s+not signed/);
    expect(run.stderr).toContain('1 of 1 receipt failed verification');
    expect(run.stderr).not.toMatch(/changed/);
  });
});
