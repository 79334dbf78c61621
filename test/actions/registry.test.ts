import { describe, expect, it } from 'vitest';
import { ActionRegistry, createDefaultRegistry } from '../../src/actions/index.js';
import type { Action, ActionProvider } from '../../src/actions/index.js';
import { thrown } from '../helpers/thrown.js';

function action(name: string): Action {
  return { name, spec: { required: ['path'], writes: ['path'] }, do: () => Promise.resolve({}) };
}

const fileProvider: ActionProvider = {
  name: 'file',
  actions: [action('file.link'), action('file.copy'), action('file.mkdir')],
};
const netProvider: ActionProvider = { name: 'net', actions: [action('net.download')] };

describe('ActionRegistry', () => {
  it('returns the registered action by name', () => {
    const link = action('file.link');
    const registry = new ActionRegistry().register(link);
    expect(registry.get('file.link')).toBe(link);
    expect(registry.has('file.link')).toBe(true);
    expect(registry.has('file.copy')).toBe(false);
  });

  it('registers every action of a provider and lists names sorted', () => {
    const registry = new ActionRegistry().registerProvider(netProvider).registerProvider(fileProvider);
    expect(registry.names()).toEqual(['file.copy', 'file.link', 'file.mkdir', 'net.download']);
  });

  it('exposes specs as an ActionCatalog, undefined for unknown names', () => {
    const registry = new ActionRegistry().registerProvider(fileProvider);
    expect(registry.spec('file.copy')).toEqual({ required: ['path'], writes: ['path'] });
    expect(registry.spec('file.nope')).toBeUndefined();
  });

  it('rejects a name registered twice, naming the first provider', () => {
    const registry = new ActionRegistry().registerProvider(fileProvider);
    const error = thrown(() => registry.registerProvider({ name: 'other', actions: [action('file.copy')] }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('action "file.copy" is already registered by provider "file"');
  });

  it('rejects an action without a name', () => {
    expect(thrown(() => new ActionRegistry().register(action(''))).code).toBe('invalid-input');
  });

  it('suggests the closest name for a typo', () => {
    const registry = new ActionRegistry().registerProvider(fileProvider);
    const error = thrown(() => registry.get('file.lnk'));
    expect(error.code).toBe('unknown-action');
    expect(error.message).toBe('unknown action "file.lnk" (did you mean "file.link"?)');
  });

  it('suggests nothing when no name is close', () => {
    const registry = new ActionRegistry().registerProvider(fileProvider);
    expect(thrown(() => registry.get('pkg.install')).message).toBe('unknown action "pkg.install"');
  });
});

describe('createDefaultRegistry', () => {
  it('registers every action of every provider given', () => {
    const registry = createDefaultRegistry([fileProvider, netProvider]);
    expect(registry.names()).toEqual(['file.copy', 'file.link', 'file.mkdir', 'net.download']);
  });

  it('refuses two providers claiming one name', () => {
    expect(thrown(() => createDefaultRegistry([fileProvider, fileProvider])).message).toBe(
      'action "file.link" is already registered by provider "file"',
    );
  });
});

describe('builtinProviders', () => {
  it('register every built-in action name of the contract exactly once', () => {
    expect(createDefaultRegistry().names()).toEqual(
      expect.arrayContaining([
        'archive.extract',
        'file.backup',
        'file.copy',
        'file.link',
        'file.mkdir',
        'file.move',
        'file.remove',
        'file.unlink',
        'file.write',
        'flow.choose',
        'flow.gather',
        'net.download',
        'pkg.install',
        'pkg.remove',
        'secret.decrypt',
        'shell.exec',
        'template.render',
      ]),
    );
  });

  it('declare writes for every file action that writes a path', () => {
    const registry = createDefaultRegistry();
    for (const name of ['file.link', 'file.copy', 'file.write', 'file.mkdir', 'net.download', 'archive.extract']) {
      expect(registry.spec(name)?.writes, name).toContain('path');
    }
  });
});
