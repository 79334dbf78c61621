import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Graph, GraphState, Node, Tool } from '../../src/index.js';

/** A fresh temp directory; remove it with {@link removeTempDir}. */
export async function makeTempDir(prefix = 'writ-lore-receipts-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Removes a temp directory tree. */
export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Options of {@link sampleGraph}. */
export interface SampleGraphOptions {
  readonly tool?: Tool;
  readonly timestamp?: string;
  readonly state?: GraphState;
  readonly nodes?: number;
  readonly targetRoot?: string;
  readonly project?: string;
}

/** A receipt-shaped graph of `nodes` file.link nodes (plus one copy and one package node). */
export function sampleGraph(options: SampleGraphOptions = {}): Graph {
  const root = options.targetRoot ?? '/home/user';
  const count = options.nodes ?? 3;
  const nodes: Node[] = [];
  for (let index = 0; index < count; index += 1) {
    nodes.push({
      id: `link-${index}`,
      action: index % 5 === 4 ? 'file.copy' : 'file.link',
      status: 'completed',
      slots: {
        source: { kind: 'immediate', value: `/repo/base/dot-${index}` },
        path: { kind: 'immediate', value: `${root}/.config/app-${index % 7}/file-${index}` },
      },
      project: options.project ?? 'shell',
      layer: 'base',
      started_at: options.timestamp ?? '2026-11-01T12:00:00.000Z',
      finished_at: options.timestamp ?? '2026-11-01T12:00:00.000Z',
      target_digest: `sha256:${index.toString(16).padStart(64, '0')}`,
    });
  }
  return {
    version: '1',
    tool: options.tool ?? 'writ',
    timestamp: options.timestamp ?? '2026-11-01T12:00:00.000Z',
    state: options.state ?? 'executed',
    platform: { os: 'linux', arch: 'x64' },
    context: { target_root: root, projects: [options.project ?? 'shell'] },
    nodes,
    edges: [],
  };
}

/** A lore graph installing `packages` with apt. */
export function packageGraph(packages: readonly string[], timestamp: string, action = 'pkg.install'): Graph {
  return {
    version: '1',
    tool: 'lore',
    timestamp,
    state: 'executed',
    platform: { os: 'linux', arch: 'x64' },
    context: { packages: [...packages] },
    nodes: [
      {
        id: `${action}-${packages.join('-')}`,
        action,
        status: 'completed',
        slots: {
          manager: { kind: 'immediate', value: 'apt' },
          packages: { kind: 'immediate', value: [...packages] },
        },
        annotations: Object.fromEntries(packages.map((name, index) => [`version.${name}`, `1.${index}.0`])),
      },
    ],
    edges: [],
  };
}
