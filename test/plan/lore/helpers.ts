import { WritLoreError } from '../../../src/graph/index.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

/** A minimal valid manifest for `name`, with extra YAML appended (top-level keys). */
export function manifestText(name: string, extra = '', version = '1.0.0'): string {
  return `name: ${name}\nversion: ${version}\ndescription: test package ${name}\n${extra}`;
}

/**
 * Writes a directory registry under `dir`: `index.yaml` listing every package (no digests)
 * and `packages/<name>/package.yaml` with the given texts.
 */
export async function writeRegistry(dir: string, manifests: Readonly<Record<string, string>>): Promise<string> {
  const lines = ['packages:'];
  for (const [name, text] of Object.entries(manifests)) {
    const parsed = parse(text) as { version?: unknown; description?: unknown };
    lines.push(`  ${name}:`, `    version: "${String(parsed.version)}"`, `    description: ${JSON.stringify(String(parsed.description))}`);
    await mkdir(join(dir, 'packages', name), { recursive: true });
    await writeFile(join(dir, 'packages', name, 'package.yaml'), text);
  }
  await writeFile(join(dir, 'index.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

/** The WritLoreError `run` rejects with (fails the test when it resolves or rejects otherwise). */
export async function rejection(run: Promise<unknown>): Promise<WritLoreError> {
  const error: unknown = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof WritLoreError) return error;
  throw new Error(`expected a WritLoreError, got ${String(error)}`);
}
