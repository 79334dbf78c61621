/**
 * What validation needs to know about an action, without importing the actions layer
 * (src/graph stays pure and below src/actions).
 */
export interface ActionSpec {
  /** Slots that must be present on every node using the action. */
  readonly required: readonly string[];
  /** Slots the action also understands. */
  readonly optional?: readonly string[];
  /**
   * Slots whose (immediate) value is a filesystem path the action writes. Validation rejects
   * two nodes writing the same path.
   */
  readonly writes?: readonly string[];
}

/** Looks up action specs by name; the ActionRegistry implements it. */
export interface ActionCatalog {
  /** The spec of `name`, or undefined when no such action is registered. */
  spec(name: string): ActionSpec | undefined;
}
