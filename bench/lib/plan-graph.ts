import type { ActionCatalog, Edge, Graph, Node } from '../../src/graph/index.js';

/** Specs of the actions a writ-shaped plan uses, for validation in benchmarks. */
export const PLAN_CATALOG: ActionCatalog = {
  spec(name) {
    switch (name) {
      case 'file.link':
        return { required: ['source', 'path'], writes: ['path'] };
      case 'template.render':
        return { required: [], optional: ['source', 'content', 'variables'] };
      case 'file.copy':
        return { required: ['path'], optional: ['source', 'content', 'mode'], writes: ['path'] };
      default:
        return undefined;
    }
  },
};

/**
 * A graph shaped like a writ plan of `size` nodes: mostly `file.link` nodes with source/path
 * immediates, and about 10 % of the targets as `template.render` → `file.copy` chains joined by
 * a promise slot and a data edge.
 */
export function buildPlanGraph(size: number): Graph {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const layers = ['base', 'team', 'personal'];
  for (let index = 0; nodes.length < size; index += 1) {
    const layer = layers[index % layers.length] ?? 'base';
    const relative = `.config/app${index % 97}/file-${index}.conf`;
    const target = `/home/kim/${relative}`;
    const source = `/home/kim/env/${layer}/Home/all/${relative}`;
    if (index % 10 === 9 && nodes.length + 2 <= size) {
      const render = `${relative}:template.render`;
      nodes.push({
        id: render,
        action: 'template.render',
        status: 'pending',
        project: 'all',
        layer,
        slots: {
          source: { kind: 'immediate', value: `${source}.template` },
          variables: { kind: 'immediate', value: { user: 'kim', index, enabled: index % 2 === 0 } },
        },
      });
      nodes.push({
        id: relative,
        action: 'file.copy',
        status: 'pending',
        project: 'all',
        layer,
        slots: {
          path: { kind: 'immediate', value: target },
          content: { kind: 'promise', node: render },
          mode: { kind: 'immediate', value: '0644' },
        },
      });
      edges.push({ from: render, to: relative, kind: 'data' });
    } else {
      nodes.push({
        id: relative,
        action: 'file.link',
        status: 'pending',
        project: 'all',
        layer,
        slots: { source: { kind: 'immediate', value: source }, path: { kind: 'immediate', value: target } },
      });
    }
  }
  return {
    version: '1',
    tool: 'writ',
    timestamp: '2026-11-25T00:00:00.000Z',
    state: 'pending',
    platform: { os: 'linux', arch: 'x64' },
    context: { target_root: '/home/kim', projects: ['all'], layers: layers.map((name) => ({ name, path: `/home/kim/env/${name}` })) },
    nodes,
    edges,
  };
}
