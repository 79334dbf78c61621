import type { Platform } from '../../graph/index.js';

/** Operating system names a manifest may use: Node's `process.platform` values. */
export const OS_NAMES = ['aix', 'darwin', 'freebsd', 'linux', 'openbsd', 'sunos', 'win32'] as const;

/**
 * Architecture names a manifest may use: release-asset style (`amd64`, `386`) where Node says
 * `x64`/`ia32`, Node's names otherwise.
 */
export const ARCH_NAMES = ['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mipsel', 'ppc', 'ppc64', 'riscv64', 's390', 's390x'] as const;

/** Node's `process.arch` names that manifests spell differently. */
const FROM_NODE_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386' };

/** The platform as manifests name it: os as Node names it, arch `amd64`/`arm64`/`386`… */
export function manifestPlatform(platform: Platform): Platform {
  return { os: platform.os, arch: FROM_NODE_ARCH[platform.arch] ?? platform.arch };
}

/** Why `name` is not a known os (or arch) name, or undefined when it is one. */
export function platformNameProblem(kind: 'os' | 'arch', name: string): string | undefined {
  const known: readonly string[] = kind === 'os' ? OS_NAMES : ARCH_NAMES;
  if (known.includes(name)) return undefined;
  const spelled = kind === 'arch' ? FROM_NODE_ARCH[name] : undefined;
  const didYouMean = spelled === undefined ? '' : ` (did you mean "${spelled}"? manifests say ${spelled} for Node's ${name})`;
  return `unknown ${kind} "${name}"${didYouMean}`;
}
