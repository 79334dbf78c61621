import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dir: string | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('README', () => {
  it('has a tour whose code runs as written and prints a pending plan', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    dir = await mkdtemp(join(ROOT, 'test/e2e/.readme-'));
    const source = (code ?? '').replace("from 'writ-lore'", `from '${join(ROOT, 'src/index.js')}'`);
    await writeFile(join(dir, 'tour.ts'), source);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => printed.push(text));
    await import(join(dir, 'tour.ts'));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('state: pending');
    expect(printed[0]).toContain('node_ref: render:/repo/git/config.tmpl');
  });

  it('gives the two set-up commands the CI runs', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    const ci = await readFile(join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toContain('npm ci');
    expect(ci).toContain('npm test');
  });
});
