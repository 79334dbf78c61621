import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { identityFiles, loadAgeIdentities } from '../../../src/actions/secret/identities.js';
import { WritLoreError } from '../../../src/graph/index.js';
import { makeKeyPair } from './age-fixture.js';

/** A well-formed identity with its last character changed, so the checksum fails. */
const DAMAGED_KEY = 'AGE-SECRET-KEY-1DFCTC0C9PZV5H0YEV9XZTJ78RSZKQG83L5MFD3SRVKPV5AT8HEPS69FZUX';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writ-identities-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('identityFiles', () => {
  const env = { HOME: '/home/kim', WRIT_LORE_AGE_IDENTITY: '/env/key.txt' };

  it.each([
    ['the slot first', { slot: '/slot.txt', fromRun: ['/run.txt'], env }, ['/slot.txt'], 'the identity slot'],
    ['then --identity', { fromRun: ['/a.txt', '/b.txt'], env }, ['/a.txt', '/b.txt'], '--identity'],
    ['then the environment', { env }, ['/env/key.txt'], 'WRIT_LORE_AGE_IDENTITY'],
    ['then the config dir', { env: { HOME: '/home/kim' }, configDir: '/cfg' }, ['/cfg/age/identities.txt'], 'the config dir'],
    ['under XDG_CONFIG_HOME', { env: { XDG_CONFIG_HOME: '/xdg' } }, ['/xdg/writ-lore/age/identities.txt'], 'the config dir'],
    ['under ~/.config', { env: { HOME: '/home/kim' } }, ['/home/kim/.config/writ-lore/age/identities.txt'], 'the config dir'],
  ])('takes %s', (_what, lookup, files, origin) => {
    expect(identityFiles(lookup)).toEqual({ files, origin });
  });
});

describe('loadAgeIdentities', () => {
  it('reads identities, skipping comments and blank lines', async () => {
    const [a, b] = [await makeKeyPair(), await makeKeyPair()];
    const file = join(dir, 'keys.txt');
    await writeFile(file, `# created: today\n# public key: ${a.recipient}\n${a.identity}\n\n  ${b.identity}  \n`);
    expect(await loadAgeIdentities({ slot: file, env: {} })).toEqual({
      keys: [a.identity, b.identity],
      origin: `${file} (the identity slot)`,
    });
  });

  it('reports a missing identity file as not-found with a hint', async () => {
    const configDir = join(dir, 'cfg');
    const error = await loadAgeIdentities({ env: {}, configDir }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'not-found',
      path: join(configDir, 'age', 'identities.txt'),
      message: 'no age identity file (from the config dir)',
    });
    expect((error as WritLoreError).hint).toContain('--identity FILE');
  });

  it('rejects a file with no identity in it', async () => {
    const file = join(dir, 'empty.txt');
    await writeFile(file, '# nothing here\n');
    await expect(loadAgeIdentities({ slot: file, env: {} })).rejects.toThrow('age identity file holds no identity');
  });

  it.each([
    ['a line that is not a key', 'hunter2-not-a-key', 'not an age identity (expected a line starting AGE-SECRET-KEY-)'],
    ['a key with a bad checksum', `${DAMAGED_KEY}`, 'malformed age identity (bad checksum)'],
    ['a key in mixed case', 'AGE-SECRET-KEY-1QQQhunter2', 'malformed age identity (bad encoding)'],
  ])('rejects %s with its line number and without quoting it', async (_what, line, message) => {
    const file = join(dir, 'bad.txt');
    await writeFile(file, `# comment\n${line}\n`);
    const error = await loadAgeIdentities({ slot: file, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WritLoreError);
    expect(error).toMatchObject({ code: 'invalid-input', path: file, line: 2, message });
    const shown = JSON.stringify({ m: (error as Error).message, h: (error as WritLoreError).hint, c: String((error as Error).cause) });
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain(DAMAGED_KEY.slice(20));
  });

  it('says that SSH keys are not supported', async () => {
    const file = join(dir, 'id_ed25519');
    await writeFile(file, '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n');
    await expect(loadAgeIdentities({ slot: file, env: {} })).rejects.toMatchObject({
      hint: 'SSH keys and age plugins are not supported; use a native age identity',
    });
  });

  it('reads every file given with --identity', async () => {
    const [a, b] = [await makeKeyPair(), await makeKeyPair()];
    await mkdir(join(dir, 'k'));
    await writeFile(join(dir, 'k', 'a'), a.identity);
    await writeFile(join(dir, 'k', 'b'), b.identity);
    const loaded = await loadAgeIdentities({ fromRun: [join(dir, 'k', 'a'), join(dir, 'k', 'b')], env: {} });
    expect(loaded.keys).toEqual([a.identity, b.identity]);
  });
});
