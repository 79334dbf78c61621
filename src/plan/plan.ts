import { GRAPH_FORMAT_VERSION, WritLoreError, assertValidGraph } from '../graph/index.js';
import type { ActionCatalog, Graph, GraphContext, JsonValue } from '../graph/index.js';
import type { ManagerName } from '../actions/index.js';
import { GraphAssembler } from './builder.js';
import type { NodeOptions } from './builder.js';
import type { PhaseOptions } from './phases.js';
import type { Input, ItemHandle, NodeHandle, PhaseHandle, SlotInput } from './handles.js';
import { conflictInput, isContentReference, keyText, normaliseMode, toJsonValue } from './inputs.js';
import type {
  ChooseBranch,
  ChooseOptions,
  DownloadOptions,
  ExecOptions,
  FileOptions,
  GatherOptions,
  ModeOptions,
  PlanOptions,
  SourceOptions,
} from './options.js';
import { planTimestamp } from './options.js';
import { checkPredicate } from './predicate.js';

/** Slot inputs by slot name; `undefined` entries (optional slots not given) are left out. */
type SlotInputs = Readonly<Record<string, SlotInput | undefined>>;

/** One package name or a list of them (always recorded as a list). */
type PackagesInput = Input<string | readonly string[]>;

/**
 * Builds a plan: a pending graph of nodes, slots, edges and phases. Every method adds one node
 * and returns its handle; passing a handle as another node's input makes a promise slot and
 * the data edge it needs, so a plan can never hold a promise without its edge.
 *
 * @example
 * const plan = new Plan(registry, { tool: 'writ', project: 'dotfiles' });
 * const secret = plan.decrypt('/repo/netrc.age');
 * const text = plan.render(secret, { variables: { user: 'kim' } });
 * plan.copy(text, '/home/kim/.netrc', { mode: '0600' });
 * const graph = plan.graph(); // validated, state "pending"
 */
export class Plan {
  readonly #catalog: ActionCatalog;
  readonly #assembler: GraphAssembler;
  readonly #options: PlanOptions;
  readonly #timestamp: string;
  /** Set when a body callback threw: the plan is half-built and graph() refuses it. */
  #broken: WritLoreError | undefined;

  constructor(catalog: ActionCatalog, options: PlanOptions) {
    this.#catalog = catalog;
    this.#options = options;
    this.#timestamp = planTimestamp(options);
    this.#assembler = new GraphAssembler(catalog, options.project);
  }

  /** Creates the directory `path` (and its parents): `file.mkdir`. */
  mkdir(path: Input<string>, options: ModeOptions = {}): NodeHandle {
    const inputs = { path, mode: this.#mode(options), ...conflictInput(options.onConflict) };
    return this.#add('file.mkdir', 'mkdir', path, inputs, options);
  }

  /** Points a symlink at `path` to `source`: `file.link`. */
  link(source: Input<string>, path: Input<string>, options: FileOptions = {}): NodeHandle {
    const { onConflict } = options;
    // No spread: a writ plan adds one link per target (tens of thousands).
    const inputs = onConflict === undefined ? { source, path } : { source, path, on_conflict: onConflict };
    return this.#add('file.link', 'link', path, inputs, options);
  }

  /** Copies a file, or content from another node (render, decrypt), to `path`: `file.copy`. */
  copy(from: SlotInput, path: Input<string>, options: ModeOptions & SourceOptions = {}): NodeHandle {
    const slot = isContentReference(from, options.as) ? 'content' : 'source';
    const inputs = { [slot]: from, path, mode: this.#mode(options), ...conflictInput(options.onConflict) };
    return this.#add('file.copy', 'copy', path, inputs, options);
  }

  /** Writes the text `content` to `path`: `file.write`. */
  write(path: Input<string>, content: Input<string>, options: ModeOptions = {}): NodeHandle {
    const inputs = { path, content, mode: this.#mode(options), ...conflictInput(options.onConflict) };
    return this.#add('file.write', 'write', path, inputs, options);
  }

  /** Renders a template file, or template content from another node: `template.render`. */
  render(
    from: SlotInput,
    options: NodeOptions & SourceOptions & { readonly variables?: SlotInput } = {},
  ): NodeHandle {
    const slot = isContentReference(from, options.as) ? 'content' : 'source';
    const inputs = { [slot]: from, variables: options.variables };
    return this.#add('template.render', 'render', from, inputs, options);
  }

  /** Decrypts the age file `source`; its result feeds render or copy: `secret.decrypt`. */
  decrypt(
    source: Input<string>,
    options: NodeOptions & { readonly identity?: Input<string> } = {},
  ): NodeHandle {
    return this.#add('secret.decrypt', 'decrypt', source, { source, identity: options.identity }, options);
  }

  /** Removes the file at `path` (backed up first): `file.remove`. */
  remove(path: Input<string>, options: NodeOptions = {}): NodeHandle {
    return this.#add('file.remove', 'remove', path, { path }, options);
  }

  /** Removes the symlink at `path`: `file.unlink`. */
  unlink(path: Input<string>, options: NodeOptions = {}): NodeHandle {
    return this.#add('file.unlink', 'unlink', path, { path }, options);
  }

  /** Saves `path` to the backup store: `file.backup`. */
  backup(path: Input<string>, options: NodeOptions = {}): NodeHandle {
    return this.#add('file.backup', 'backup', path, { path }, options);
  }

  /** Moves `source` to `path`: `file.move`. */
  move(source: Input<string>, path: Input<string>, options: NodeOptions = {}): NodeHandle {
    return this.#add('file.move', 'move', path, { source, path }, options);
  }

  /** Downloads `url` to `path`, checked against `sha256`: `net.download`. */
  download(url: Input<string>, path: Input<string>, options: DownloadOptions): NodeHandle {
    const inputs = { url, path, sha256: options.sha256, mode: this.#mode(options), timeout: options.timeout };
    return this.#add('net.download', 'download', path, inputs, options);
  }

  /** Extracts `archive` into the directory `path`: `archive.extract`. */
  extract(
    archive: Input<string>,
    path: Input<string>,
    options: NodeOptions & { readonly strip?: Input<number> } = {},
  ): NodeHandle {
    return this.#add('archive.extract', 'extract', path, { archive, path, strip: options.strip }, options);
  }

  /** Runs a command: an argv array, or a string run by `/bin/sh -c`: `shell.exec`. */
  exec(argvOrCommand: Input<string | readonly string[]>, options: ExecOptions = {}): NodeHandle {
    const asCommand = options.as === 'command' || typeof argvOrCommand === 'string';
    const { cwd, env, creates, undo, timeout } = options;
    const inputs = { [asCommand ? 'command' : 'argv']: argvOrCommand, cwd, env, creates, undo, timeout };
    return this.#addKeyed('shell.exec', 'exec', keyText(argvOrCommand, ' '), inputs, options);
  }

  /** Installs `packages` with `manager`: `pkg.install`. */
  install(manager: Input<ManagerName>, packages: PackagesInput, options: NodeOptions = {}): NodeHandle {
    return this.#package('pkg.install', 'install', manager, packages, options);
  }

  /** Removes `packages` with `manager`: `pkg.remove`. */
  uninstall(manager: Input<ManagerName>, packages: PackagesInput, options: NodeOptions = {}): NodeHandle {
    return this.#package('pkg.remove', 'uninstall', manager, packages, options);
  }

  /** Adds a node of any registered action; the id is `<action>:<path or first input>`. */
  add(action: string, inputs: SlotInputs, options: NodeOptions = {}): NodeHandle {
    const first = inputs['path'] ?? Object.values(inputs).find((input) => input !== undefined);
    return this.#addKeyed(action, action, keyText(first), inputs, options);
  }

  /**
   * Declares that `b` depends on `a` (`a` must finish before `b` starts). When `b` already
   * holds a promise on `a` the data edge says so and nothing is added; otherwise an `order`
   * edge is. Returns the kind of the edge that records the dependency.
   */
  dependsOn(a: NodeHandle, b: NodeHandle): 'data' | 'order' {
    const existing = this.#assembler.edgeKind(a, b);
    if (existing !== undefined) return existing;
    this.#assembler.addOrder(a, b);
    return 'order';
  }

  /**
   * Orders `a` before `b` without any data flowing: always an `order` edge. Throws when `b`
   * already consumes `a`'s result (the data edge orders them; use {@link dependsOn}).
   */
  orders(a: NodeHandle, b: NodeHandle): void {
    if (this.#assembler.edgeKind(a, b) === 'data') {
      const message = `"${b.id}" already uses the result of "${a.id}"; its data edge orders them`;
      throw new WritLoreError('invalid-input', message, {
        hint: 'drop the orders() call, or use dependsOn() which accepts an existing data edge',
      });
    }
    this.#assembler.addOrder(a, b);
  }

  /** Opens a phase: nodes added afterwards join it until the next phase opens. */
  phase(name: string, options: PhaseOptions = {}): PhaseHandle {
    return this.#assembler.openPhase(name, options);
  }

  /**
   * Runs the nodes `body` adds once per item of `items` (`flow.gather`). Inside `body`, pass
   * `item` or `item.field('x')` as inputs to bind slots to the current item.
   */
  gather(
    items: Input<readonly JsonValue[]>,
    body: (plan: Plan, item: ItemHandle) => void,
    options: GatherOptions = {},
  ): NodeHandle {
    const id = this.#assembler.reserveNodeId(options.id, 'gather', keyText(items));
    const phase = this.#assembler.reservePhaseId(`${id}.body`);
    const inputs = { items, body: phase, limit: options.limit };
    const handle = this.#flowNode('flow.gather', id, [phase], inputs, options);
    const item = this.#assembler.itemHandle(id);
    this.#fillBody(id, phase, `${id} body`, () => body(this, item));
    return handle;
  }

  /** Runs the first branch whose predicate holds for `value`, else `options.else`: `flow.choose`. */
  choose(value: SlotInput, branches: readonly ChooseBranch[], options: ChooseOptions = {}): NodeHandle {
    if (branches.length === 0) throw new WritLoreError('invalid-input', 'choose needs at least one branch');
    const predicates = branches.map((branch, index) =>
      checkPredicate(branch.when, `branch ${index + 1} of choose`),
    );
    const id = this.#assembler.reserveNodeId(options.id, 'choose', keyText(value));
    const phases = branches.map((_, index) => this.#assembler.reservePhaseId(`${id}.branch${index + 1}`));
    const otherwise = options.else;
    const elsePhase = otherwise === undefined ? undefined : this.#assembler.reservePhaseId(`${id}.else`);
    const table = predicates.map((when, index) => ({ when, phase: phases[index] ?? '' }));
    const reserved = elsePhase === undefined ? phases : [...phases, elsePhase];
    const inputs = { value, branches: table, else: elsePhase };
    const handle = this.#flowNode('flow.choose', id, reserved, inputs, options);
    branches.forEach((branch, index) => {
      const name = branch.name ?? `${id} branch ${index + 1}`;
      this.#fillBody(id, phases[index] ?? '', name, () => branch.then(this));
    });
    if (elsePhase !== undefined && otherwise !== undefined) {
      this.#fillBody(id, elsePhase, `${id} else`, () => otherwise(this));
    }
    return handle;
  }

  /** The plan as a validated pending graph; throws `invalid-graph` listing every problem. */
  graph(): Graph {
    if (this.#broken !== undefined) throw this.#broken;
    const { nodes, edges, phases } = this.#assembler.assemble();
    const options = this.#options;
    const platform = options.platform ?? { os: process.platform, arch: process.arch };
    const graph: Graph = {
      version: GRAPH_FORMAT_VERSION,
      tool: options.tool,
      timestamp: this.#timestamp,
      state: 'pending',
      platform: { os: platform.os, arch: platform.arch },
      context: toJsonValue(options.context ?? {}, 'context') as GraphContext,
      nodes,
      edges,
      ...(phases === undefined ? {} : { phases }),
    };
    const provided = options.provided;
    assertValidGraph(graph, { catalog: this.#catalog, ...(provided === undefined ? {} : { provided }) });
    return graph;
  }

  #mode(options: ModeOptions): SlotInput | undefined {
    return normaliseMode(options.mode, '"mode"');
  }

  #add(action: string, verb: string, key: SlotInput, inputs: SlotInputs, options: NodeOptions): NodeHandle {
    // The key only derives an id: none is needed when the caller gives one.
    return this.#addKeyed(action, verb, options.id === undefined ? keyText(key) : undefined, inputs, options);
  }

  #addKeyed(
    action: string,
    verb: string,
    key: string | undefined,
    inputs: SlotInputs,
    options: NodeOptions,
  ): NodeHandle {
    return this.#assembler.addNode({ action, inputs, verb, key, options });
  }

  #flowNode(
    action: string,
    id: string,
    phases: readonly string[],
    inputs: SlotInputs,
    options: NodeOptions,
  ): NodeHandle {
    try {
      return this.#assembler.addNode({ action, inputs, verb: '', key: undefined, options, reservedId: id });
    } catch (error) {
      this.#assembler.release(id, phases);
      throw error;
    }
  }

  /** Fills a body phase; a callback that throws leaves the plan half-built, so it is marked broken. */
  #fillBody(flowNode: string, phase: string, name: string, build: () => void): void {
    try {
      this.#assembler.fillBody(flowNode, phase, name, build);
    } catch (error) {
      this.#broken ??= new WritLoreError(
        'invalid-input',
        `the body of "${flowNode}" failed while the plan was being built, so the plan is incomplete`,
        { cause: error, hint: 'fix the body callback and build the plan again' },
      );
      throw error;
    }
  }

  #package(
    action: string,
    verb: string,
    manager: Input<ManagerName>,
    packages: PackagesInput,
    options: NodeOptions,
  ): NodeHandle {
    const list = typeof packages === 'string' ? [packages] : packages;
    const key = [keyText(manager), keyText(list)].filter((part) => part !== undefined).join(':');
    return this.#addKeyed(action, verb, key === '' ? undefined : key, { manager, packages: list }, options);
  }
}
