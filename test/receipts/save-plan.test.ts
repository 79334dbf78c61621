import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeChecksum, parseGraph } from '../../src/graph/index.js';
import { savePlan } from '../../src/receipts/index.js';
import { makeTempDir, removeTempDir, sampleGraph } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => removeTempDir(dir));

const plan = () => sampleGraph({ state: 'pending' });

describe('savePlan', () => {
  it('writes a new file, sealed for the name it was given', async () => {
    const file = path.join(dir, 'p.yaml');
    const saved = await savePlan(file, plan(), undefined);
    const graph = parseGraph(await fs.readFile(file, 'utf8'));
    expect(saved.checksum).toBe(graph.checksum);
    expect(computeChecksum(graph, 'p.yaml')).toBe(graph.checksum);
  });

  it('writes through a symbolic link (a chain, or one whose target is missing): the link stays', async () => {
    const real = path.join(dir, 'plans', 'real.yaml');
    await fs.mkdir(path.dirname(real));
    await fs.writeFile(real, 'old\n');
    await fs.symlink('plans/real.yaml', path.join(dir, 'hop'));
    await fs.symlink('hop', path.join(dir, 'p.yaml'));
    await savePlan(path.join(dir, 'p.yaml'), plan(), undefined);
    expect((await fs.lstat(path.join(dir, 'p.yaml'))).isSymbolicLink()).toBe(true);
    // Sealed for the name given, so `--plan p.yaml` loads it.
    expect(computeChecksum(parseGraph(await fs.readFile(real, 'utf8')), 'p.yaml')).toBe(parseGraph(await fs.readFile(real, 'utf8')).checksum);
    await fs.symlink('plans/new.yaml', path.join(dir, 'dangling'));
    await savePlan(path.join(dir, 'dangling'), plan(), undefined);
    expect((await fs.readFile(path.join(dir, 'plans', 'new.yaml'), 'utf8')).startsWith('version:')).toBe(true);
  });

  it.each([
    ['a named pipe', (file: string) => execFileSync('mkfifo', [file]), /^a named pipe, not a regular file: the plan was not saved$/],
    ['a directory', (file: string) => execFileSync('mkdir', [file]), /^a directory, not a regular file: the plan was not saved$/],
  ])('refuses %s, leaving it as it was', async (_what, make, message) => {
    const file = path.join(dir, 'out');
    make(file);
    const before = await fs.lstat(file);
    await expect(savePlan(file, plan(), undefined)).rejects.toThrow(message);
    const after = await fs.lstat(file);
    expect([after.ino, after.mode]).toEqual([before.ino, before.mode]);
    expect(await fs.readdir(dir)).toEqual(['out']);
  });

  it('refuses a loop of symbolic links', async () => {
    await fs.symlink('b', path.join(dir, 'a'));
    await fs.symlink('a', path.join(dir, 'b'));
    await expect(savePlan(path.join(dir, 'a'), plan(), undefined)).rejects.toThrow(/too many levels of symbolic links/);
  });
});
