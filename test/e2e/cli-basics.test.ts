import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOOLS = ['writ', 'lore', 'receipts'] as const;

function run(args: readonly string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('the built CLIs', () => {
  it.each(TOOLS)('%s --help exits 0 and shows examples', (tool) => {
    const child = run([`bin/${tool}.js`, '--help']);
    expect(child.status).toBe(0);
    expect(child.stdout).toContain(`Usage: ${tool}`);
    expect(child.stdout).toContain('Examples:');
    expect(child.stderr).toBe('');
  });

  it.each(TOOLS)('%s rejects an unknown option with one line, exit 2 and no stack trace', (tool) => {
    const child = run([`bin/${tool}.js`, '--no-such-option']);
    expect(child.status).toBe(2);
    expect(child.stderr).toBe(`${tool}: error: unknown option '--no-such-option'\n${tool}: hint: see '${tool} --help'\n`);
    expect(child.stdout).toBe('');
  });

  it('exits quietly when its reader closes the pipe early', async () => {
    // Far more output than a pipe buffers, so the writer really meets the closed pipe.
    const script = `const { exitOnBrokenPipe } = await import('./dist/cli/pipe.js');
      exitOnBrokenPipe(process.stdout);
      for (let i = 0; i < 2000; i += 1) process.stdout.write('x'.repeat(1000) + '\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
