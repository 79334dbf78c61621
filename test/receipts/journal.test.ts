import { existsSync, readFileSync, statfsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  JOURNAL_FORMAT_VERSION,
  Journal,
  encodeJournalLine,
  readJournal,
  type JournalRecord,
  type RunStartRecord,
} from '../../src/index.js';
import { makeTempDir, removeTempDir } from './helpers.js';

let dir: string;
let file: string;

const start: RunStartRecord = {
  kind: 'run-start',
  v: JOURNAL_FORMAT_VERSION,
  run: 'writ-2026-11-01T00-00-00-000Z',
  tool: 'writ',
  timestamp: '2026-11-01T00:00:00.000Z',
  plan_checksum: `sha256:${'0'.repeat(64)}`,
  started_at: '2026-11-01T00:00:01.000Z',
  pid: 1234,
  platform: { os: 'linux', arch: 'x64' },
  context: { target_root: '/home/u' },
};

const records: readonly JournalRecord[] = [
  start,
  { kind: 'undo-registered', node: 'a', action: 'file.link', undo: { kind: 'place', path: '/home/u/a' }, target: '/home/u/a' },
  { kind: 'node-done', node: 'a', action: 'file.link', status: 'completed', undo: { x: 1 } },
  { kind: 'undo-registered', node: 'b', action: 'file.copy', undo: null, iteration: { flow: 'g', index: 2 } },
  { kind: 'node-done', node: 'b', action: 'file.copy', status: 'failed', error: 'disk full' },
  // Multi-byte UTF-8, an escaped lone surrogate, a newline and quotes inside strings.
  { kind: 'node-done', node: 'ü/😀', action: 'file.write', status: 'failed', error: 'bad \ud800 byte\n"quoted"', target: '/home/ü' },
  { kind: 'compensation-done', node: 'a', status: 'compensated' },
  { kind: 'run-end', state: 'rolled_back' },
];

beforeEach(async () => {
  dir = await makeTempDir('writ-lore-journal-');
  file = path.join(dir, 'writ-2026-11-01T00-00-00-000Z.journal');
});
afterEach(async () => removeTempDir(dir));

async function writeAll(): Promise<void> {
  const journal = await Journal.create(file, start);
  for (const record of records.slice(1)) journal.append(record);
  await journal.close();
}

describe('Journal', () => {
  it('reads back every record in order', async () => {
    await writeAll();
    const contents = await readJournal(file);
    expect(contents.records).toEqual(records);
    expect(contents.isTorn).toBe(false);
  });

  it('writes a record of megabytes (non-ASCII included) between small ones, all read back in order', async () => {
    const journal = await Journal.create(file, start);
    const count = 40_000;
    const big: JournalRecord = {
      kind: 'links-planned',
      nodes: Array.from({ length: count }, (_, index) => `n${index}`),
      targets: Array.from({ length: count }, (_, index) => `/home/ü/.config/app-${index}/settings.conf`),
      link_targets: Array.from({ length: count }, (_, index) => `/repo/base/Home/all/.config/app-${index}/settings.conf`),
      created_dirs: Array.from({ length: count }, (_, index) => (index % 100 === 0 ? [`/home/ü/.config/app-${index}`] : [])),
    };
    journal.append(records[1] as JournalRecord);
    journal.append(big);
    await journal.sync();
    for (const record of records.slice(2)) journal.append(record);
    await journal.close();
    const contents = await readJournal(file);
    expect(contents.records).toEqual([start, records[1], big, ...records.slice(2)]);
  });

  it('makes the run-start record durable on create and refuses an existing journal', async () => {
    const journal = await Journal.create(file, start);
    expect((await readJournal(file)).records).toEqual([start]);
    await expect(Journal.create(file, start)).rejects.toMatchObject({ code: 'EEXIST' });
    await journal.close();
  });

  it('group-commits concurrent syncs without losing or reordering records', async () => {
    const journal = await Journal.create(file, start);
    const syncs: Promise<void>[] = [];
    for (let index = 0; index < 500; index += 1) {
      journal.append({ kind: 'compensation-done', node: `n${index}`, status: 'compensated' });
      syncs.push(journal.sync());
    }
    await Promise.all(syncs);
    const nodes = (await readJournal(file)).records.slice(1).map((record) => ('node' in record ? record.node : ''));
    expect(nodes).toEqual(Array.from({ length: 500 }, (_, index) => `n${index}`));
    await journal.close();
  });

  it('batched: commits asked for in one turn share one write and one fdatasync, and resolve only once durable', async () => {
    const journal = await Journal.create(file, start, { commit: 'batched' });
    const before = journal.stats;
    const seen: number[] = [];
    const commits = Array.from({ length: 8 }, (_, index) => {
      journal.append({ kind: 'undo-registered', node: `n${index}`, action: 'file.link', undo: { index } });
      // Read synchronously the moment this commit resolves: its record must already be on disk.
      return journal.commit().then(() => {
        const onDisk = readFileSync(file, 'utf8');
        seen.push(onDisk.includes(`"node":"n${index}"`) ? index : -1);
      });
    });
    expect(readFileSync(file, 'utf8')).not.toContain('"n0"');
    await Promise.all(commits);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(journal.stats).toMatchObject({ writes: before.writes + 1, syncs: before.syncs + 1 });
    // A later turn is a new batch.
    journal.append({ kind: 'compensation-done', node: 'n0', status: 'compensated' });
    await journal.commit();
    expect(journal.stats).toMatchObject({ writes: before.writes + 2, syncs: before.syncs + 2 });
    await journal.close();
    expect((await readJournal(file)).records).toHaveLength(10);
  });

  it('immediate: every commit writes and fdatasyncs before it returns', async () => {
    const journal = await Journal.create(file, start, { commit: 'immediate' });
    const before = journal.stats;
    for (let index = 0; index < 3; index += 1) {
      journal.append({ kind: 'compensation-done', node: `n${index}`, status: 'compensated' });
      void journal.commit();
      expect(readFileSync(file, 'utf8')).toContain(`"node":"n${index}"`);
    }
    expect(journal.stats).toMatchObject({ writes: before.writes + 3, syncs: before.syncs + 3 });
    await journal.close();
  });

  it('settles a waiting batched commit when a sync or close gets there first, and writes nothing after close', async () => {
    const journal = await Journal.create(file, start, { commit: 'batched' });
    journal.append({ kind: 'compensation-done', node: 'a', status: 'compensated' });
    const waiting = journal.commit();
    await journal.close();
    await expect(waiting).resolves.toBeUndefined();
    // The turn the batch was waiting for comes and goes without touching the closed file.
    await new Promise((resolve) => setImmediate(resolve));
    expect((await readJournal(file)).records.map((record) => record.kind)).toEqual(['run-start', 'compensation-done']);
  });

  it('skips fdatasync only on a filesystem where it is a no-op (tmpfs, ramfs)', async () => {
    const onDisk = await Journal.create(file, start);
    onDisk.append({ kind: 'run-end', state: 'executed' });
    await onDisk.commit();
    const tmpfsDir = await fs.mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : dir, 'writ-lore-journal-'));
    try {
      const inMemory = await Journal.create(path.join(tmpfsDir, 'writ-2026-11-01T00-00-00-000Z.journal'), start);
      inMemory.append({ kind: 'run-end', state: 'executed' });
      await inMemory.commit();
      await inMemory.close();
      const isTmpfs = (dirPath: string): boolean => [0x01021994, 0x858458f6].includes(statfsSync(dirPath).type);
      for (const [journal, where] of [[onDisk, dir], [inMemory, tmpfsDir]] as const) {
        const { syncs, fdatasyncs } = journal.stats;
        expect(syncs).toBe(2);
        expect(fdatasyncs).toBe(isTmpfs(where) ? 0 : syncs);
      }
      expect((await readJournal(inMemory.path)).records).toHaveLength(2);
    } finally {
      await onDisk.close();
      await fs.rm(tmpfsDir, { recursive: true, force: true });
    }
  });

  it('adaptive: every commit is durable when it resolves, whatever the sync speed', async () => {
    const journal = await Journal.create(file, start);
    for (let index = 0; index < 20; index += 1) {
      journal.append({ kind: 'compensation-done', node: `n${index}`, status: 'compensated' });
      await journal.commit();
      expect(readFileSync(file, 'utf8')).toContain(`"node":"n${index}"`);
    }
    expect(journal.stats.syncs).toBe(21);
    await journal.close();
  });

  it('writes large batches past the buffer threshold in order', async () => {
    const journal = await Journal.create(file, start);
    const big = 'x'.repeat(10_000);
    for (let index = 0; index < 100; index += 1) journal.append({ kind: 'node-done', node: `n${index}`, action: big, status: 'completed' });
    await journal.close();
    expect((await readJournal(file)).records).toHaveLength(101);
  });

  it('ignores a torn final line at any cut point and never misreads a record', async () => {
    await writeAll();
    const bytes = await fs.readFile(file);
    const lineEnds = [...bytes.entries()].filter(([, byte]) => byte === 0x0a).map(([index]) => index + 1);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bytes.length }), async (cut) => {
        await fs.writeFile(file, bytes.subarray(0, cut));
        const contents = await readJournal(file);
        const complete = lineEnds.filter((end) => end <= cut).length;
        expect(contents.records).toEqual(records.slice(0, complete));
        expect(contents.isTorn).toBe(!lineEnds.includes(cut) && cut !== 0);
        expect(contents.validBytes).toBe(complete === 0 ? 0 : lineEnds[complete - 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('treats a damaged last line as torn, but a damaged middle line as corruption naming the line', async () => {
    await writeAll();
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    const damagedLast = [...lines.slice(0, -2), lines.at(-2)?.replace('rolled_back', 'rolled_bock'), ''].join('\n');
    await fs.writeFile(file, damagedLast);
    expect((await readJournal(file)).records).toHaveLength(records.length - 1);
    const damagedMiddle = lines.map((line, index) => (index === 2 ? line.replace('completed', 'complete!') : line)).join('\n');
    await fs.writeFile(file, damagedMiddle);
    await expect(readJournal(file)).rejects.toMatchObject({ code: 'integrity', line: 3 });
  });

  it('cuts a torn tail before appending more records', async () => {
    await writeAll();
    const torn = `${(await fs.readFile(file, 'utf8'))}0badc0de {"kind":"run-e`;
    await fs.writeFile(file, torn);
    const journal = await Journal.openForAppend(file);
    journal.append({ kind: 'compensation-done', node: 'b', status: 'compensated' });
    await journal.close();
    const contents = await readJournal(file);
    expect(contents.isTorn).toBe(false);
    expect(contents.records.at(-1)).toEqual({ kind: 'compensation-done', node: 'b', status: 'compensated' });
  });

  it('encodes a line as CRC-32 hex, a space and the JSON', () => {
    expect(encodeJournalLine({ kind: 'run-end', state: 'executed' })).toMatch(/^[0-9a-f]{8} \{"kind":"run-end","state":"executed"\}\n$/);
  });

  it('refuses a file whose whole first line is not a record, and still reads a damaged first record as torn', async () => {
    await fs.writeFile(file, 'this is not a journal\n');
    await expect(readJournal(file)).rejects.toMatchObject({ code: 'integrity', path: file, line: 1 });
    await fs.writeFile(file, '0badc0de {"kind":"run-start"}\n');
    expect(await readJournal(file)).toEqual({ records: [], isTorn: true, validBytes: 0 });
  });

  it('rejects a line with a valid CRC but an unknown kind', async () => {
    const body = JSON.stringify({ kind: 'mystery' });
    const { crc32 } = await import('node:zlib');
    await fs.writeFile(file, `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`);
    await expect(readJournal(file)).rejects.toThrow(/unknown kind "mystery"/);
  });
});
