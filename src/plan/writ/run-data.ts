import type { Graph } from '../../graph/index.js';
import { collectHostFacts } from '../../actions/index.js';
import type { Environment, HostFacts } from '../../actions/index.js';

/** Options of {@link writRunData}. */
export interface WritRunDataOptions {
  /** Host facts for templates; default collected from this machine. */
  readonly host?: HostFacts;
  /** The environment templates (`env` helper) and secret lookup see; default `process.env`. */
  readonly env?: Environment;
  /** Age identity files (`--identity`), tried before `WRIT_LORE_AGE_IDENTITY` and the config dir. */
  readonly ageIdentities?: readonly string[];
  /** The config directory (`<config>/age/identities.txt` is looked up there). */
  readonly configDir?: string;
}

/**
 * The run data the executor needs to run a writ graph (`ExecutorOptions.data`): the plan's
 * `variables` and `segments` (from its context, so a saved plan runs the same), host facts,
 * and where secrets' identities are. `template.render` reads `variables`, `segments`, `host`
 * and `env`; `secret.decrypt` reads `ageIdentities`, `configDir` and `env`.
 */
export function writRunData(graph: Graph, options: WritRunDataOptions = {}): Readonly<Record<string, unknown>> {
  const env = options.env ?? process.env;
  return {
    variables: { ...(graph.context.variables ?? {}) },
    segments: { ...(graph.context.segments ?? {}) },
    host: options.host ?? collectHostFacts({ env }),
    env,
    ...(options.ageIdentities === undefined ? {} : { ageIdentities: [...options.ageIdentities] }),
    ...(options.configDir === undefined ? {} : { configDir: options.configDir }),
  };
}
