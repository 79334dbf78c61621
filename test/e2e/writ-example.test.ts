import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './writ-helpers.js';

describe('npm start (the README main command)', () => {
  it('dry-runs, applies and re-applies the bundled example into a fresh temporary home', () => {
    const child = spawnSync(process.execPath, ['dist/cli/example.js'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(child.status).toBe(0);
    const out = child.stdout;
    expect(out).toContain('writ purchase order');
    expect(out).toMatch(/9 targets: 9 to create, 0 to replace, 0 unchanged, 0 conflicts/);
    expect(out).toMatch(/^7 linked, 2 copied in [0-9.]+ s — receipt writ-\S+\.yaml$/m);
    expect(out).toContain('nothing to do: all 9 targets are up to date');
    expect(out).toMatch(/writ\s+executed\s+11\s+11/);
    expect(out).toContain('~/.config/writ-example/token.env (file, 600)');
    const home = /the deployed tree \((\/[^)]+)\)/.exec(out)?.[1] ?? '';
    expect(home).not.toBe('');
    fs.rmSync(home.replace(/\/home$/, ''), { recursive: true, force: true });
  });
});
