import { spawnSync } from 'node:child_process';

/** Whether GNU Stow can be run, and if not, why. */
export type StowAvailability =
  | { readonly kind: 'available'; readonly path: string; readonly version: string }
  | { readonly kind: 'missing'; readonly reason: string };

function which(program: string): string | undefined {
  const result = spawnSync('which', [program], { encoding: 'utf8' });
  const found = result.stdout?.trim() ?? '';
  return result.status === 0 && found !== '' ? found : undefined;
}

function aptGet(args: readonly string[]): { ok: boolean; output: string } {
  const result = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error !== undefined) return { ok: false, output: result.error.message };
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim().split('\n').slice(-3).join(' / ') };
}

function available(path: string): StowAvailability {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const version = /version\s+(\S+)/.exec(result.stdout ?? '')?.[1] ?? 'unknown version';
  return { kind: 'available', path, version };
}

/**
 * Finds `stow`, installing it with `apt-get install -y stow` when it is missing (and, if that
 * fails, once more after `apt-get update`). Never throws: without apt or on a failed install it
 * returns the reason, and the benchmark reports Stow as not measured.
 */
export function ensureStow(log: (line: string) => void): StowAvailability {
  const existing = which('stow');
  if (existing !== undefined) return available(existing);
  if (which('apt-get') === undefined) return { kind: 'missing', reason: 'stow is not installed and apt-get is unavailable' };
  log('stow is missing: apt-get install -y stow …');
  let install = aptGet(['install', '-y', 'stow']);
  if (!install.ok) {
    log('apt-get install failed; apt-get update, then once more …');
    aptGet(['update']);
    install = aptGet(['install', '-y', 'stow']);
  }
  const installed = which('stow');
  if (installed !== undefined) return available(installed);
  return { kind: 'missing', reason: `apt-get install -y stow failed: ${install.output}` };
}

/** `stow --no-folding` deploying package `pkg` of `stowDir` into `target`. */
export function stowArgv(stow: string, stowDir: string, target: string): string[] {
  return [stow, '--no-folding', '-d', stowDir, '-t', target, 'pkg'];
}
