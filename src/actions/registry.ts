import { WritLoreError, closestName } from '../graph/index.js';
import type { ActionCatalog, ActionSpec } from '../graph/index.js';
import { withFailpoints } from './failpoints.js';
import type { Action, ActionProvider } from './types.js';

/**
 * Maps action names to actions. Providers register groups of actions; the executor looks each
 * node's action up here, and validation reads the specs through {@link ActionCatalog}.
 *
 * @example
 * const registry = new ActionRegistry().registerProvider(fileProvider);
 * registry.get('file.link'); // the link action
 */
export class ActionRegistry implements ActionCatalog {
  readonly #actions = new Map<string, Action>();
  /** Which provider registered each name, for duplicate messages. */
  readonly #origins = new Map<string, string>();

  /** Registers one action; a name registered twice is an error. */
  register(action: Action, origin?: string): this {
    if (typeof action.name !== 'string' || action.name === '') {
      throw new WritLoreError('invalid-input', 'cannot register an action without a name');
    }
    if (this.#actions.has(action.name)) {
      const first = this.#origins.get(action.name);
      const by = first === undefined ? '' : ` by provider "${first}"`;
      throw new WritLoreError(
        'invalid-input',
        `action "${action.name}" is already registered${by}`,
        { hint: 'every action name must be registered exactly once' },
      );
    }
    // Test-only fault injection: the action itself unless WRITLORE_FAILPOINTS is set.
    this.#actions.set(action.name, withFailpoints(action));
    if (origin !== undefined) this.#origins.set(action.name, origin);
    return this;
  }

  /** Registers every action of `provider`. */
  registerProvider(provider: ActionProvider): this {
    for (const action of provider.actions) this.register(action, provider.name);
    return this;
  }

  /** The action called `name`; throws `unknown-action` (with a suggestion) when there is none. */
  get(name: string): Action {
    const action = this.#actions.get(name);
    if (action !== undefined) return action;
    const suggestion = this.suggest(name);
    const didYouMean = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    throw new WritLoreError('unknown-action', `unknown action "${name}"${didYouMean}`);
  }

  /** Whether an action called `name` is registered. */
  has(name: string): boolean {
    return this.#actions.has(name);
  }

  /** The spec of `name`, or undefined when it is not registered ({@link ActionCatalog}). */
  spec(name: string): ActionSpec | undefined {
    return this.#actions.get(name)?.spec;
  }

  /** Every registered name, sorted. */
  names(): string[] {
    return [...this.#actions.keys()].sort();
  }

  /** The registered name closest to `name` when it is close enough to be a typo. */
  suggest(name: string): string | undefined {
    return closestName(name, this.#actions.keys());
  }
}


