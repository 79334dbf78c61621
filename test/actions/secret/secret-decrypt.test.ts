import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptAge } from '../../../src/actions/secret/decrypt.js';
import { secretDecrypt, secretProvider } from '../../../src/actions/secret/index.js';
import { WritLoreError } from '../../../src/graph/index.js';
import { fakeActionContext } from '../../helpers/fake-action-context.js';
import { snapshotTree } from '../../helpers/tree-snapshot.js';
import { encryptTo, makeKeyPair, type AgeKeyPair } from './age-fixture.js';

const PLAINTEXT = 'machine example.org login kim password pl41nt3xt-s3cret\n';
const sha256 = (bytes: string | Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let dir: string;
let keys: AgeKeyPair;
let identityFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writ-secret-'));
  keys = await makeKeyPair();
  identityFile = join(dir, 'identity.txt');
  await writeFile(identityFile, `# test identity\n${keys.identity}\n`);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSecret(name: string, form: 'binary' | 'armored' = 'binary'): Promise<{ path: string; ciphertext: Uint8Array }> {
  const ciphertext = await encryptTo(keys.recipient, PLAINTEXT, form);
  const path = join(dir, name);
  await writeFile(path, ciphertext);
  return { path, ciphertext };
}

describe('secret.decrypt', () => {
  it('is provided by secretProvider with a spec naming its slots', () => {
    expect(secretProvider.actions).toEqual([secretDecrypt]);
    expect(secretDecrypt.spec).toEqual({ required: ['source'], optional: ['identity'] });
  });

  it.each(['binary', 'armored'] as const)('decrypts a %s age file into a Buffer, recording only digests', async (form) => {
    const { path, ciphertext } = await writeSecret('token.age', form);
    const ctx = fakeActionContext();
    const output = await secretDecrypt.do(ctx, { source: path, identity: identityFile });
    expect(Buffer.isBuffer(output.result)).toBe(true);
    expect(String(output.result)).toBe(PLAINTEXT);
    expect(output.digests).toEqual({ source: sha256(ciphertext), target: sha256(PLAINTEXT) });
    expect(output.undo).toBeUndefined();
    const recorded = JSON.stringify({ lines: ctx.lines, registered: ctx.registered, digests: output.digests });
    expect(recorded).not.toContain('s3cret');
    expect(recorded).toContain(sha256(PLAINTEXT));
  });

  it.each([
    ['run data ageIdentities (--identity)', (file: string) => ({ ageIdentities: [file] })],
    ['WRIT_LORE_AGE_IDENTITY', (file: string) => ({ env: { WRIT_LORE_AGE_IDENTITY: file } })],
  ])('finds the identity through %s', async (_what, data) => {
    const { path } = await writeSecret('token.age');
    const output = await secretDecrypt.do(fakeActionContext({ data: data(identityFile) }), { source: path });
    expect(String(output.result)).toBe(PLAINTEXT);
  });

  it('finds the identity in <config>/age/identities.txt', async () => {
    const { path } = await writeSecret('token.age');
    const configDir = join(dir, 'config');
    await mkdir(join(configDir, 'age'), { recursive: true });
    await writeFile(join(configDir, 'age', 'identities.txt'), keys.identity);
    const output = await secretDecrypt.do(fakeActionContext({ data: { configDir, env: {} } }), { source: path });
    expect(String(output.result)).toBe(PLAINTEXT);
  });

  it('fails with a clear error and writes nothing when no identity matches', async () => {
    const { path } = await writeSecret('token.age');
    const stranger = await makeKeyPair();
    const wrongFile = join(dir, 'wrong.txt');
    await writeFile(wrongFile, stranger.identity);
    const before = await snapshotTree(dir);
    const ctx = fakeActionContext();
    const error = await secretDecrypt.do(ctx, { source: path, identity: wrongFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WritLoreError);
    expect(error).toMatchObject({
      code: 'action-failed',
      path,
      message: `cannot decrypt ${path}: no identity matches (tried 1 identity from ${wrongFile} (the identity slot))`,
    });
    expect((error as WritLoreError).hint).toContain('--identity FILE');
    expect(await snapshotTree(dir)).toEqual(before);
    expect(ctx.lines).toEqual([]);
    expect(ctx.registered).toEqual([]);
  });

  it('lets the identity slot win over the environment', async () => {
    const { path } = await writeSecret('token.age');
    const wrongFile = join(dir, 'wrong.txt');
    await writeFile(wrongFile, (await makeKeyPair()).identity);
    const ctx = fakeActionContext({ data: { env: { WRIT_LORE_AGE_IDENTITY: identityFile } } });
    await expect(secretDecrypt.do(ctx, { source: path, identity: wrongFile })).rejects.toThrow('no identity matches');
  });

  it('rejects a plaintext file without quoting any of it', async () => {
    const path = join(dir, 'plain.age');
    await writeFile(path, 'password forgot-to-encrypt\n');
    const error = await secretDecrypt.do(fakeActionContext(), { source: path, identity: identityFile }).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: `cannot decrypt ${path}: not an age-encrypted file (bad header)` });
    expect(JSON.stringify([String(error), (error as WritLoreError).hint, String((error as Error).cause)])).not.toContain('forgot');
  });

  it('rejects a damaged file', async () => {
    const { path, ciphertext } = await writeSecret('token.age');
    const damaged = Buffer.from(ciphertext);
    damaged.writeUInt8((damaged.at(-1) ?? 0) ^ 1, damaged.length - 1);
    await writeFile(path, damaged);
    await expect(secretDecrypt.do(fakeActionContext(), { source: path, identity: identityFile })).rejects.toThrow(
      `cannot decrypt ${path}: the encrypted file is damaged`,
    );
  });

  it('reports a missing secret file as not-found', async () => {
    const path = join(dir, 'missing.age');
    await expect(secretDecrypt.do(fakeActionContext(), { source: path, identity: identityFile })).rejects.toMatchObject({
      code: 'not-found',
      path,
    });
  });

  it('probes by decrypting, so a dry run proves the identity works, and changes nothing', async () => {
    const { path } = await writeSecret('token.age');
    const before = await snapshotTree(dir);
    const outcome = await secretDecrypt.probe?.(fakeActionContext(), { source: path, identity: identityFile });
    expect(outcome).toEqual({ kind: 'create', detail: sha256(PLAINTEXT) });
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('stops before decrypting when the run is cancelled', async () => {
    const { path } = await writeSecret('token.age');
    const controller = new AbortController();
    controller.abort(new WritLoreError('cancelled', 'run cancelled'));
    await expect(
      secretDecrypt.do(fakeActionContext({ signal: controller.signal }), { source: path, identity: identityFile }),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('decryptAge', () => {
  it('round-trips any bytes encrypted to one of its identities', async () => {
    const other = await makeKeyPair();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (bytes, armored) => {
        const ciphertext = await encryptTo(keys.recipient, bytes, armored ? 'armored' : 'binary');
        const identities = { keys: [other.identity, keys.identity], origin: 'test' };
        const plaintext = await decryptAge(ciphertext, identities, { name: 'x.age' });
        expect(Buffer.from(plaintext).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('counts the identities it tried', async () => {
    const ciphertext = await encryptTo(keys.recipient, 'x');
    const identities = { keys: [(await makeKeyPair()).identity, (await makeKeyPair()).identity], origin: 'k.txt' };
    await expect(decryptAge(ciphertext, identities, { name: 's.age' })).rejects.toThrow(
      'cannot decrypt s.age: no identity matches (tried 2 identities from k.txt)',
    );
  });
});
