import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as tar from 'tar';
import { main } from '../../cli/lore.js';
import { startHttpServer, type Route, type TestHttpServer } from '../helpers/http-server.js';
import { outputSink } from '../helpers/output-sink.js';

/** What one in-process `lore` call printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The directories a lore test works in. */
export interface LoreDirs {
  readonly state: string;
  readonly config: string;
  readonly cache: string;
  readonly prefix: string;
}

/** Runs `lore argv… --prefix <prefix>` in-process with the test's state, config and cache dirs. */
export async function runLore(argv: readonly string[], dirs: LoreDirs, env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  const stdout = outputSink();
  const stderr = outputSink();
  const code = await main([...argv, '--prefix', dirs.prefix], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { WRIT_LORE_STATE_DIR: dirs.state, WRIT_LORE_CONFIG_DIR: dirs.config, XDG_CACHE_HOME: dirs.cache, NO_COLOR: '1', HOME: dirs.config, ...env },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A package of a generated test registry. */
export interface TestPackage {
  readonly name: string;
  readonly version?: string;
  readonly depends?: readonly string[];
  /** The prepare phase's retry policy, as YAML flow text. */
  readonly retry?: string;
  /** The verify step (default: run the linked tool with `--version`). */
  readonly verify?: 'ok' | 'fail';
  /** Override the archive's sha256 (a wrong checksum). */
  readonly sha256?: string;
  /** Override the link target (default `${prefix}/bin/<name>`). */
  readonly linkTarget?: string;
  /** Extra provision steps, as YAML lines (indented by 6). */
  readonly provision?: readonly string[];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Builds `files/<name>-<version>.tar.gz` holding `<name>-<version>/bin/<name>` (a tiny sh tool). */
function writeArchive(root: string, name: string, version: string): string {
  const stage = join(root, 'stage');
  const top = `${name}-${version}`;
  mkdirSync(join(stage, top, 'bin'), { recursive: true });
  const tool = join(stage, top, 'bin', name);
  writeFileSync(tool, `#!/bin/sh\necho "${name} ${version}"\n`);
  chmodSync(tool, 0o755);
  mkdirSync(join(root, 'files'), { recursive: true });
  const file = join(root, 'files', `${top}.tar.gz`);
  tar.c({ gzip: true, file, cwd: stage, sync: true, portable: true }, [top]);
  return sha256(readFileSync(file));
}

function manifestText(pkg: TestPackage, digest: string): string {
  const version = pkg.version ?? '1.0.0';
  const verify = pkg.verify === 'fail' ? `[/bin/sh, -c, "exit 1"]` : `["\${prefix}/bin/${pkg.name}"]`;
  const lines = [
    `name: ${pkg.name}`,
    `version: "${version}"`,
    `description: test package ${pkg.name}`,
    ...(pkg.depends === undefined ? [] : [`depends: [${pkg.depends.join(', ')}]`]),
    'sources:',
    `  - url: files/${pkg.name}-${version}.tar.gz`,
    `    sha256: ${pkg.sha256 ?? digest}`,
    'phases:',
    '  prepare:',
    ...(pkg.retry === undefined ? [] : [`    retry: ${pkg.retry}`]),
    '    steps:',
    `      - download: { to: ${pkg.name}.tar.gz }`,
    '  install:',
    '    steps:',
    `      - extract: { archive: ${pkg.name}.tar.gz, to: ., strip: 1 }`,
    `      - link: { source: bin/${pkg.name}, target: "${pkg.linkTarget ?? `\${prefix}/bin/${pkg.name}`}" }`,
    ...(pkg.provision === undefined ? [] : ['  provision:', '    steps:', ...pkg.provision]),
    '  verify:',
    '    steps:',
    `      - exec: { argv: ${verify}, effects: none }`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes a registry (index, manifests, archives) for `packages` into `root`. */
export function writeRegistry(root: string, packages: readonly TestPackage[]): void {
  const index = ['packages:'];
  for (const pkg of packages) {
    const version = pkg.version ?? '1.0.0';
    const digest = writeArchive(root, pkg.name, version);
    mkdirSync(join(root, 'packages', pkg.name), { recursive: true });
    writeFileSync(join(root, 'packages', pkg.name, 'package.yaml'), manifestText(pkg, digest));
    index.push(`  ${pkg.name}:`, `    version: "${version}"`, `    description: test package ${pkg.name}`);
  }
  writeFileSync(join(root, 'index.yaml'), `${index.join('\n')}\n`);
}

/** Every file under `root` as `/relative/path` → bytes (for serving a registry). */
export function registryRoutes(root: string): Record<string, Uint8Array> {
  const routes: Record<string, Uint8Array> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else routes[`/${relative(root, path).split(sep).join('/')}`] = readFileSync(path);
    }
  };
  walk(root);
  return routes;
}

/** Serves the registry at `root` over HTTP on 127.0.0.1, with per-path overrides. */
export function serveRegistry(root: string, overrides: Readonly<Record<string, Omit<Route, 'body'>>> = {}): Promise<TestHttpServer> {
  const routes: Record<string, Uint8Array | Route> = registryRoutes(root);
  for (const [path, override] of Object.entries(overrides)) {
    const body = routes[path];
    if (body === undefined || !(body instanceof Uint8Array)) throw new Error(`no registry file ${path}`);
    routes[path] = { body, ...override };
  }
  return startHttpServer(routes);
}

/** A server whose `gated` paths answer only once every one of them has a request in flight. */
export interface GatedServer {
  readonly url: string;
  /** The most gated requests that were in flight at the same moment. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/**
 * Serves `routes`; requests for `gated` paths are held until all of them have arrived (a
 * barrier), so a client that fetches them one after another would wait forever, and one that
 * overlaps them sees `maxInFlight() === gated.length`.
 */
export async function startGatedServer(routes: Readonly<Record<string, Uint8Array>>, gated: readonly string[]): Promise<GatedServer> {
  const { createServer } = await import('node:http');
  const held: { path: string; release: () => void }[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let inFlight = 0;
  let max = 0;
  const server = createServer((request, response) => {
    request.resume();
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const body = routes[path];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const send = (): void => {
      response.writeHead(200, { 'content-length': String(body.length) }).end(request.method === 'HEAD' ? undefined : body);
    };
    if (!gated.includes(path) || request.method === 'HEAD') {
      send();
      return;
    }
    inFlight += 1;
    max = Math.max(max, inFlight);
    held.push({ path, release: send });
    response.on('close', () => (inFlight -= 1));
    if (new Set(held.map((item) => item.path)).size === gated.length) for (const item of held.splice(0)) item.release();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    maxInFlight: () => max,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
