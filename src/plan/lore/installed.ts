import type { Graph, JsonValue } from '../../graph/index.js';

/** What `lore` did in a run, recorded in its receipt's `context.operation`. */
export type LoreOperation = 'install' | 'remove';

/** A package that lore receipts say is installed. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly prefix: string;
  /** The stem of the receipt of the install run. */
  readonly receipt: string;
  /** When it was installed (the receipt's timestamp). */
  readonly installedAt: string;
  /** The packages it depends on (from the install receipt's `context.depends`). */
  readonly depends: readonly string[];
  /** Whether the user asked for it by name, or it came as a dependency. */
  readonly requested: boolean;
}

/** A lore receipt handed to {@link installedPackages}: its stem and verified graph. */
export interface LoreReceipt {
  readonly stem: string;
  readonly graph: Graph;
}

/**
 * Replays lore receipts (oldest first) into what is installed now, per prefix and name: an
 * `executed` install adds its `context.packages`, an `executed` remove takes them away; runs
 * that failed or were rolled back changed nothing and are skipped.
 */
export function installedPackages(receipts: readonly LoreReceipt[]): InstalledPackage[] {
  const installed = new Map<string, InstalledPackage>();
  for (const { stem, graph } of receipts) {
    if (graph.tool !== 'lore' || graph.state !== 'executed') continue;
    const context = graph.context;
    const prefix = context.prefix ?? '';
    const record = loreRecord(graph);
    const depends = dependsMap(record['depends']);
    const requested = stringList(record['requested']);
    for (const ref of stringList(context.packages)) {
      const { name, version } = splitRef(ref);
      const key = `${prefix}\u0000${name}`;
      if (operationOf(graph) === 'remove') {
        installed.delete(key);
        continue;
      }
      installed.set(key, {
        name,
        version,
        prefix,
        receipt: stem,
        installedAt: graph.timestamp,
        depends: depends.get(name) ?? [],
        requested: requested.length === 0 || requested.includes(name),
      });
    }
  }
  return [...installed.values()].sort((a, b) => a.name.localeCompare(b.name) || a.prefix.localeCompare(b.prefix));
}

/** The operation a lore receipt records (receipts without one are installs). */
export function operationOf(graph: Graph): LoreOperation {
  return loreRecord(graph)['operation'] === 'remove' ? 'remove' : 'install';
}

/**
 * What lore adds to a graph's context, under `context.variables.lore`: `operation`
 * (`install`|`remove`), `requested` (names asked for), `depends` (name → its dependencies).
 */
export interface LoreContextRecord {
  readonly operation: LoreOperation;
  readonly requested: readonly string[];
  readonly depends: Readonly<Record<string, readonly string[]>>;
}

/** Returns `graph` with `record` stored under `context.variables.lore`. */
export function withLoreRecord(graph: Graph, record: LoreContextRecord): Graph {
  const lore: JsonValue = { operation: record.operation, requested: [...record.requested], depends: { ...record.depends } };
  return { ...graph, context: { ...graph.context, variables: { ...graph.context.variables, lore } } };
}

function loreRecord(graph: Graph): Readonly<Record<string, JsonValue>> {
  const value = graph.context.variables?.['lore'];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Readonly<Record<string, JsonValue>>) : {};
}

/** The installed packages (in `installed`) that depend on `name` in the same prefix. */
export function dependentsOf(installed: readonly InstalledPackage[], name: string, prefix: string): InstalledPackage[] {
  return installed.filter((pkg) => pkg.prefix === prefix && pkg.depends.includes(name));
}

/** `hello-tool@1.0.0` → name and version (the last `@` splits them). */
export function splitRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  return at <= 0 ? { name: ref, version: '' } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

function stringList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function dependsMap(value: JsonValue | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return map;
  for (const [name, list] of Object.entries(value as Record<string, JsonValue>)) map.set(name, stringList(list));
  return map;
}
