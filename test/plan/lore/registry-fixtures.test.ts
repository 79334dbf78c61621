import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../../src/plan/index.js';

const run = promisify(execFile);
const FIXTURE = 'fixtures/registry';
const SCRIPT = 'scripts/build-registry-fixtures.mjs';
let out: string;

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'lore-fixtures-'));
});

afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

/** The generated files of a registry: index, manifests and archives, relative path → bytes. */
async function generated(dir: string): Promise<Map<string, Buffer>> {
  const files = ['index.yaml'];
  for (const name of (await readdir(join(dir, 'packages'))).sort()) files.push(`packages/${name}/package.yaml`);
  for (const name of (await readdir(join(dir, 'files'))).sort()) files.push(`files/${name}`);
  return new Map(await Promise.all(files.map(async (file) => [file, await readFile(join(dir, file))] as const)));
}

describe('scripts/build-registry-fixtures.mjs', () => {
  it('rebuilds the committed index, manifests and archives byte for byte', async () => {
    await run(process.execPath, [SCRIPT, '--out', out]);
    const fresh = await generated(out);
    const committed = await generated(FIXTURE);
    expect([...fresh.keys()]).toEqual([...committed.keys()]);
    for (const [file, bytes] of fresh) expect({ file, same: bytes.equals(committed.get(file) ?? Buffer.alloc(0)) }).toEqual({ file, same: true });
  });

  it('pins the sha256 of every archive into its manifest', async () => {
    const registry = openRegistry(FIXTURE);
    for (const entry of (await registry.index()).packages) {
      const manifest = await registry.manifest(entry.name);
      const archive = await readFile(join(FIXTURE, manifest.sources[0]?.url ?? ''));
      expect(manifest.sources[0]?.sha256).toBe(`sha256:${createHash('sha256').update(archive).digest('hex')}`);
    }
  });

  it('reports committed fixtures as current with --check', async () => {
    await expect(run(process.execPath, [SCRIPT, '--check'])).resolves.toMatchObject({ stderr: '' });
  });
});
