import { ActionRegistry } from '../../src/actions/index.js';
import type { Action } from '../../src/actions/index.js';
import type { ActionSpec, Tool } from '../../src/graph/index.js';
import { Plan } from '../../src/plan/index.js';

/** The slot specs of the built-in actions, as the contract table in the brief states them. */
export const BUILTIN_SPECS = {
  'file.mkdir': { required: ['path'], optional: ['mode'], writes: ['path'] },
  'file.link': { required: ['source', 'path'], writes: ['path'] },
  'file.copy': { required: ['path'], optional: ['source', 'content', 'mode'], writes: ['path'] },
  'file.write': { required: ['path', 'content'], optional: ['mode'], writes: ['path'] },
  'file.remove': { required: ['path'], writes: ['path'] },
  'file.unlink': { required: ['path'], writes: ['path'] },
  'file.move': { required: ['source', 'path'], writes: ['path'] },
  'file.backup': { required: ['path'] },
  'template.render': { required: [], optional: ['source', 'content', 'variables'] },
  'secret.decrypt': { required: ['source'], optional: ['identity'] },
  'net.download': { required: ['url', 'path', 'sha256'], optional: ['mode', 'timeout'], writes: ['path'] },
  'archive.extract': { required: ['archive', 'path'], optional: ['strip'], writes: ['path'] },
  'shell.exec': { required: [], optional: ['argv', 'command', 'cwd', 'env', 'creates', 'undo', 'timeout'] },
  'pkg.install': { required: ['manager', 'packages'] },
  'pkg.remove': { required: ['manager', 'packages'] },
  'flow.gather': { required: ['items', 'body'], optional: ['limit'] },
  'flow.choose': { required: ['value', 'branches'], optional: ['else'] },
} satisfies Record<string, ActionSpec>;

/** An in-test action that does nothing and has `spec`. */
export function inertAction(name: string, spec: ActionSpec = { required: [] }): Action {
  return { name, spec, do: () => Promise.resolve({}) };
}

/** A registry of inert actions carrying the built-in names and specs. */
export function testRegistry(): ActionRegistry {
  const registry = new ActionRegistry();
  for (const [name, spec] of Object.entries(BUILTIN_SPECS)) registry.register(inertAction(name, spec));
  return registry;
}

/** A Plan over {@link testRegistry} with a fixed timestamp and platform. */
export function testPlan(tool: Tool = 'writ'): Plan {
  return new Plan(testRegistry(), { tool, timestamp: '2026-01-31T12:00:00.000Z', platform: { os: 'linux', arch: 'x64' } });
}
