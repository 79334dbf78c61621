import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import * as tar from 'tar';
import { main } from '../cli/lore.js';
import { machineLine, runIfMain } from './lib/main.js';
import { measure } from './lib/measure.js';
import { formatTable, type BenchRow } from './lib/table.js';

/** tmpfs when there is one: the ext4 root here slows down under delete-and-recreate loops. */
const TMP = fs.existsSync('/dev/shm') ? '/dev/shm' : fs.realpathSync(process.env['TMPDIR'] ?? '/tmp');
/** Packages in the dependency graph. */
const PACKAGES = 20;
/** Simulated network latencies per archive request (loopback alone answers in microseconds). */
const LATENCIES_MS = [0, 25] as const;

/**
 * Writes a registry of PACKAGES packages: `app` depends on `lib-01`…`lib-19`, and every
 * `lib-N` (N > 1) depends on `lib-(N-1)`, so the install is one chain of 20 packages, each
 * with its own archive (distinct bytes, so nothing is deduplicated).
 */
function writeBenchRegistry(root: string): void {
  const names = Array.from({ length: PACKAGES - 1 }, (_, index) => `lib-${String(index + 1).padStart(2, '0')}`).concat('app');
  const index = ['packages:'];
  names.forEach((name, position) => {
    const top = `${name}-1.0.0`;
    const stage = path.join(root, 'stage', top, 'bin');
    fs.mkdirSync(stage, { recursive: true });
    fs.writeFileSync(path.join(stage, name), `#!/bin/sh\necho ${name}\n`, { mode: 0o755 });
    // Some weight per archive, so a download is more than one packet.
    fs.writeFileSync(path.join(stage, `${name}.data`), createHash('sha512').update(name).digest('hex').repeat(512));
    fs.mkdirSync(path.join(root, 'files'), { recursive: true });
    const file = path.join(root, 'files', `${top}.tar.gz`);
    tar.c({ gzip: true, file, cwd: path.join(root, 'stage'), sync: true, portable: true }, [top]);
    const digest = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const depends = name === 'app' ? names.slice(0, -1) : position === 0 ? [] : [names[position - 1] ?? ''];
    const manifest = [
      `name: ${name}`, 'version: "1.0.0"', `description: bench package ${name}`, `depends: [${depends.join(', ')}]`,
      'sources:', `  - url: files/${top}.tar.gz`, `    sha256: ${digest}`,
      'phases:', '  prepare:', '    steps:', `      - download: { to: ${name}.tar.gz }`,
      '  install:', '    steps:', `      - extract: { archive: ${name}.tar.gz, to: ., strip: 1 }`,
      `      - link: { source: bin/${name}, target: "\${prefix}/bin/${name}" }`,
    ];
    fs.mkdirSync(path.join(root, 'packages', name), { recursive: true });
    fs.writeFileSync(path.join(root, 'packages', name, 'package.yaml'), `${manifest.join('\n')}\n`);
    index.push(`  ${name}:`, '    version: "1.0.0"', `    description: bench package ${name}`);
  });
  fs.writeFileSync(path.join(root, 'index.yaml'), `${index.join('\n')}\n`);
}

/** Serves `root` on 127.0.0.1, answering archive requests after `latency` ms. */
async function serve(root: string, latency: number): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    const file = path.join(root, new URL(request.url ?? '/', 'http://x').pathname);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(file);
    const send = (): void => void response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    if (latency > 0 && file.includes(`${path.sep}files${path.sep}`)) setTimeout(send, latency);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const discard = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** Installs `app` (20 packages) into fresh directories with `--jobs`; throws unless it succeeded. */
async function install(url: string, work: string, jobs: number): Promise<void> {
  const run = fs.mkdtempSync(path.join(work, 'run-'));
  const dirs = ['--prefix', path.join(run, 'prefix'), '--state-dir', path.join(run, 'state'), '--cache-dir', path.join(run, 'cache')];
  const code = await main(['install', 'app', '--registry', url, '--jobs', String(jobs), '--quiet', ...dirs], {
    stdout: discard(),
    stderr: discard(),
    env: { NO_COLOR: '1' },
  });
  if (code !== 0) throw new Error(`lore install exited ${code}`);
  fs.rmSync(run, { recursive: true, force: true });
}

/** Runs the lore benchmark: a 20-package install over loopback HTTP, `--jobs 1` vs `--jobs 4`. */
export async function runLoreBench(): Promise<BenchRow[]> {
  const work = fs.mkdtempSync(path.join(TMP, 'writ-lore-bench-lore-'));
  const registry = path.join(work, 'registry');
  writeBenchRegistry(registry);
  try {
    const rows: BenchRow[] = [];
    for (const latency of LATENCIES_MS) rows.push(...(await latencyRows(registry, work, latency)));
    return rows;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Sequential (`--jobs 1`) vs `--jobs 4` with `latency` ms per download; `--jobs 1` first, then `--jobs 4`. */
async function latencyRows(registry: string, work: string, latency: number): Promise<BenchRow[]> {
  const { url, server } = await serve(registry, latency);
  try {
    const options = { warmup: 1, runs: 5 };
    const sequential = await measure(() => undefined, () => install(url, work, 1), options);
    const parallel = await measure(() => undefined, () => install(url, work, 4), options);
    const speedup = sequential.median_ms / parallel.median_ms;
    const note = `${latency} ms per download, ${TMP}`;
    const row = (jobs: number, timing: typeof sequential): BenchRow => ({
      name: `lore install ${PACKAGES} pkgs, --jobs ${jobs}, ${latency} ms`,
      median_ms: timing.median_ms,
      cpu_ms: timing.cpu_ms,
      min_ms: timing.min_ms,
      runs: timing.runs,
      note,
    });
    const ratio: BenchRow =
      latency === 0
        ? { name: `lore --jobs 4 vs 1, ${latency} ms`, note: `${speedup.toFixed(2)}× (loopback: nothing to overlap)` }
        : { name: `lore --jobs 4 vs 1, ${latency} ms`, target: '> 1.5×', met: speedup > 1.5, note: `${speedup.toFixed(2)}×` };
    return [row(1, sequential), row(4, parallel), ratio];
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

runIfMain(import.meta.url, async () => {
  process.stdout.write(`lore benchmark: ${machineLine()}\n\n`);
  process.stdout.write(`${formatTable(await runLoreBench())}\n`);
});
