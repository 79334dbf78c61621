import type { ActionContext, ActionLogger, BackupStore, Clock, FlowRuntime, FsMemo } from '../actions/index.js';
import type { JsonValue, Node } from '../graph/index.js';
import { BodyRunner } from './body-runner.js';
import type { RunEnv, Scope } from './env.js';

/** Options of a {@link NodeContext}. */
export interface NodeContextOptions {
  readonly env: RunEnv;
  readonly scope: Scope;
  readonly node: Node;
  /** The node's start sequence number (its place in the recovery stack). */
  readonly order: number;
  readonly signal: AbortSignal;
  /** Whether `registerUndo` records anything (it does not while undoing). */
  readonly recording: 'record' | 'ignore';
}

/**
 * The ActionContext of one node call. `registerUndo` pushes the node's recovery entry and
 * awaits the `onUndoRegistered` hooks (the journal fsyncs there) before resolving.
 */
export class NodeContext implements ActionContext {
  readonly nodeId: string;
  readonly signal: AbortSignal;
  private readonly options: NodeContextOptions;
  private flowRuntime: FlowRuntime | undefined;
  private logger: ActionLogger | undefined;
  /** The last undo state registered, if any. */
  registered: JsonValue | undefined;

  constructor(options: NodeContextOptions) {
    this.options = options;
    this.nodeId = options.node.id;
    this.signal = options.signal;
  }

  get clock(): Clock {
    return this.options.env.clock;
  }

  get data(): Readonly<Record<string, unknown>> {
    return this.options.env.data;
  }

  get backups(): BackupStore {
    return this.options.env.backups;
  }

  get memo(): FsMemo | undefined {
    return this.options.env.memo;
  }

  get log(): ActionLogger {
    this.logger ??= prefixedLogger(this.options.env.log, this.nodeId);
    return this.logger;
  }

  get flow(): FlowRuntime {
    const { env, scope, node } = this.options;
    this.flowRuntime ??= new BodyRunner({ env, parent: scope, flowNode: node, context: this });
    return this.flowRuntime;
  }

  async registerUndo(state: JsonValue): Promise<void> {
    const { env, scope, node, order, recording } = this.options;
    if (recording === 'ignore') return;
    this.registered = state;
    scope.stack.push({ node: node.id, action: node.action, undo: state, order });
    env.ledger.setUndo(node, state);
    if (env.hooks.has('onUndoRegistered')) {
      const iteration = scope.iteration;
      const pending = env.hooks.emitWriteAhead(
        'onUndoRegistered',
        iteration === undefined ? { node, undo: state } : { node, undo: state, iteration },
      );
      if (pending !== undefined) await pending;
    }
    if (scope.onUndo !== undefined) await scope.onUndo();
  }
}

function prefixedLogger(log: ActionLogger | undefined, nodeId: string): ActionLogger {
  return {
    info: (message) => log?.info(`${nodeId}: ${message}`),
    warn: (message) => log?.warn(`${nodeId}: ${message}`),
  };
}
