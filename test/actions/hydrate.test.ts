import { describe, expect, it } from 'vitest';
import { ActionRegistry, actionFor, hydrate, isStubAction, stubAction } from '../../src/actions/index.js';
import type { Action, ActionContext } from '../../src/actions/index.js';
import { WritLoreError, immediate } from '../../src/graph/index.js';
import type { Node } from '../../src/graph/index.js';

function action(name: string): Action {
  return { name, spec: { required: [] }, do: () => Promise.resolve({ result: name }) };
}

function node(id: string, actionName: string): Node {
  return { id, action: actionName, status: 'pending', slots: { path: immediate(id) } };
}

const registry = new ActionRegistry().register(action('file.link')).register(action('file.copy'));
const ctx = {} as ActionContext;

describe('stubAction', () => {
  it('keeps the name and refuses to run', async () => {
    const stub = stubAction('file.link');
    expect(stub.name).toBe('file.link');
    expect(isStubAction(stub)).toBe(true);
    await expect(stub.do(ctx, {})).rejects.toMatchObject({
      code: 'unknown-action',
      message: 'action "file.link" is a stub from a loaded document; hydrate the graph first',
    });
  });

  it('refuses to undo', async () => {
    await expect(stubAction('file.copy').undo(ctx, { path: '/x' })).rejects.toBeInstanceOf(WritLoreError);
  });

  it('is told apart from real actions', () => {
    expect(isStubAction(action('file.link'))).toBe(false);
  });
});

describe('hydrate', () => {
  it('maps every node id to its registered action', () => {
    const actions = hydrate({ nodes: [node('a', 'file.link'), node('b', 'file.copy')] }, registry);
    expect([...actions.keys()]).toEqual(['a', 'b']);
    expect(actions.get('a')).toBe(registry.get('file.link'));
    expect(actions.get('b')).toBe(registry.get('file.copy'));
  });

  it('names the unknown action and its node, with a suggestion as hint', () => {
    let error: unknown;
    try {
      hydrate({ nodes: [node('a', 'file.link'), node('b', 'file.cpy')] }, registry);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WritLoreError);
    expect(error).toMatchObject({
      code: 'unknown-action',
      message: 'unknown action "file.cpy" on node "b"',
      hint: 'did you mean "file.copy"?',
    });
  });

  it('lists the known actions when nothing is close', () => {
    expect(() => hydrate({ nodes: [node('a', 'pkg.install')] }, registry)).toThrow(
      expect.objectContaining({ hint: 'known actions: file.copy, file.link' }),
    );
  });

  it('hydrates an empty graph to an empty map', () => {
    expect(hydrate({ nodes: [] }, registry).size).toBe(0);
  });
});

describe('actionFor', () => {
  it('returns the hydrated action and reports a missing node as internal', () => {
    const actions = hydrate({ nodes: [node('a', 'file.link')] }, registry);
    expect(actionFor(actions, 'a').name).toBe('file.link');
    expect(() => actionFor(actions, 'z')).toThrow(expect.objectContaining({ code: 'internal' }));
  });
});
