import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loreProgram } from '../../cli/lore.js';
import { receiptsProgram } from '../../cli/receipts.js';
import { writProgram } from '../../cli/writ.js';

// Spawns the built CLIs (bin/*.js over dist/): run `npm run build` first.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Every command path of a program, from the commander tree itself: `[]` is the root. */
function commandPaths(command: Command, prefix: readonly string[] = []): string[][] {
  return [[...prefix], ...command.commands.flatMap((sub) => commandPaths(sub, [...prefix, sub.name()]))];
}

const PROGRAMS = { writ: writProgram(), lore: loreProgram(), receipts: receiptsProgram() } as const;

const CASES = Object.entries(PROGRAMS).flatMap(([tool, program]) =>
  commandPaths(program).map((path) => ({ tool, path, label: [tool, ...path].join(' ') })),
);

/** The lines after `Examples:` that are commands, i.e. start with `$`. */
function exampleCommands(help: string): string[] {
  const at = help.indexOf('\nExamples:\n');
  if (at < 0) return [];
  return help
    .slice(at + '\nExamples:\n'.length)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('$ '));
}

describe('--help of every command', () => {
  it('finds every subcommand in the command trees', () => {
    const labels = CASES.map((entry) => entry.label);
    for (const expected of ['writ apply', 'writ rollback', 'lore install', 'lore search', 'receipts prune', 'receipts trust']) {
      expect(labels).toContain(expected);
    }
    expect(labels.length).toBeGreaterThanOrEqual(3 + 6 + 6 + 6);
  });

  it.each(CASES)('$label --help exits 0 with a usage line and examples of that command', async ({ tool, path, label }) => {
    const { stdout, stderr } = await run(process.execPath, [`bin/${tool}.js`, ...path, '--help'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stderr).toBe('');
    expect(stdout).toMatch(new RegExp(`^Usage: ${label} `, 'm'));
    const examples = exampleCommands(stdout);
    expect(examples.length).toBeGreaterThan(0);
    // Each example runs the command it documents (a root's examples may use any subcommand).
    for (const example of examples) expect(example.startsWith(`$ ${label}`)).toBe(true);
  });
});
