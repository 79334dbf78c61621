import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/lore.js';
import { outputSink } from '../helpers/output-sink.js';
import { runLore, writeRegistry, type LoreDirs } from './lore-helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/registry', import.meta.url));

let root: string;
let dirs: LoreDirs;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lore-json-'));
  dirs = { state: join(root, 'state'), config: join(root, 'config'), cache: join(root, 'cache'), prefix: join(root, 'prefix') };
});
afterEach(async () => rm(root, { recursive: true, force: true }));

/** Every object key under `value` that is camelCase (the JSON outputs are snake_case). */
function camelCaseKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [...(/[a-z][A-Z]/.test(key) ? [key] : []), ...camelCaseKeys(inner)]);
}

async function jsonOf(argv: readonly string[], lore: LoreDirs = dirs): Promise<Record<string, unknown>> {
  const result = await runLore([...argv, '--json'], lore);
  expect(result.stderr).not.toContain('error');
  const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
  return parsed;
}

describe('lore --json documents', () => {
  it('carry "version": 1 first and snake_case keys, like writ and receipts', async () => {
    const documents = [
      await jsonOf(['install', 'greet', '--registry', FIXTURE, '--dry-run']),
      await jsonOf(['install', 'greet', '--registry', FIXTURE]),
      await jsonOf(['install', 'greet', '--registry', FIXTURE]),
      await jsonOf(['list']),
      await jsonOf(['info', 'greet', '--registry', FIXTURE]),
      await jsonOf(['search', 'greet', '--registry', FIXTURE]),
      await jsonOf(['recover']),
      await jsonOf(['remove', 'greet']),
    ];
    for (const document of documents) {
      expect(Object.keys(document)[0]).toBe('version');
      expect(document['version']).toBe(1);
      expect(camelCaseKeys(document)).toEqual([]);
    }
    expect(documents[2]).toMatchObject({ state: 'nothing-to-do' });
    const listed = documents[3]?.['packages'] as Record<string, unknown>[];
    expect(listed.map((pkg) => Object.keys(pkg).sort())).toContainEqual(['depends', 'installed_at', 'name', 'prefix', 'receipt', 'requested', 'version']);
    expect(documents[4]).toMatchObject({ package: { name: 'greet', version: '1.0.0' }, installed: [{ name: 'greet', version: '1.0.0', prefix: dirs.prefix }] });
    expect(documents[5]?.['packages']).toContainEqual(expect.objectContaining({ name: 'greet', version: '1.0.0' }));
    expect(documents[6]).toEqual({ version: 1, recovered: [] });
  });
});

describe('lore list --prefix', () => {
  it('lists only the packages installed in that prefix', async () => {
    const other: LoreDirs = { ...dirs, prefix: join(root, 'other') };
    expect((await runLore(['install', 'greet', '--registry', FIXTURE], dirs)).code).toBe(0);
    expect((await runLore(['install', 'hello-tool', '--registry', FIXTURE], other)).code).toBe(0);
    const here = (await jsonOf(['list']))['packages'] as { name: string; prefix: string }[];
    expect(here.map((pkg) => [pkg.name, pkg.prefix])).toEqual([['greet', dirs.prefix], ['hello-tool', dirs.prefix]]);
    const there = (await jsonOf(['list'], other))['packages'] as { name: string; prefix: string }[];
    expect(there.map((pkg) => [pkg.name, pkg.prefix])).toEqual([['hello-tool', other.prefix]]);
    const table = await runLore(['list'], other);
    expect(table.stdout).not.toContain('greet');
    expect((await runLore(['list'], { ...dirs, prefix: join(root, 'empty') })).stdout).toContain('no packages installed in');
    const stdout = outputSink();
    const env = { WRIT_LORE_STATE_DIR: dirs.state, WRIT_LORE_CONFIG_DIR: dirs.config, HOME: dirs.config };
    expect(await main(['list', '--json'], { stdout: stdout.stream, stderr: outputSink().stream, env })).toBe(0);
    const everywhere = (JSON.parse(stdout.text()) as { packages: { name: string; prefix: string }[] }).packages;
    expect(everywhere.map((pkg) => [pkg.name, pkg.prefix])).toEqual([['greet', dirs.prefix], ['hello-tool', other.prefix], ['hello-tool', dirs.prefix]]);
  });
});

describe('lore install --dry-run', () => {
  it('says "1 attempt" for a phase that is tried once', async () => {
    const registry = join(root, 'registry');
    writeRegistry(registry, [{ name: 'once', retry: '{ max_attempts: 1 }' }]);
    const result = await runLore(['install', 'once', '--registry', registry, '--dry-run'], dirs);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\b1 attempt,/);
    expect(result.stdout).not.toMatch(/\b1 attempts\b/);
  });
});
