import { readFileSync } from 'node:fs';

/** The package version, read from package.json beside dist/ (one source of truth). */
export function packageVersion(): string {
  // dist/cli/version.js when built; cli/version.ts when run from source (vitest, in-process tests).
  const depth = /\/dist\/[^/]+\/[^/]+$/.test(import.meta.url) ? '../../' : '../';
  const url = new URL(`${depth}package.json`, import.meta.url);
  const parsed: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (typeof parsed === 'object' && parsed !== null && 'version' in parsed) {
    return String(parsed.version);
  }
  return '0.0.0';
}
