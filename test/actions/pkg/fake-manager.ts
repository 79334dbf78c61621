import { appendFile, chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagerName } from '../../../src/actions/pkg/index.js';
import { fakeActionContext, type FakeActionContext } from '../../helpers/fake-action-context.js';
import { useInTempDir } from '../../helpers/temp-dir.js';

/**
 * One shell script playing every package manager writ-lore drives (apt-get + dpkg-query,
 * dnf + rpm, brew, npm), chosen by the name it is called under. It keeps a text-file database
 * (one installed package per line) and appends every call to a log. Packages named `broken*`
 * fail to install, like a package the index does not know.
 */
const SCRIPT = String.raw`#!/bin/sh
db="$FAKE_PKG_DB"
echo "$(basename "$0") $*" >> "$FAKE_PKG_LOG"
has() { grep -qx -- "$1" "$db"; }
add() {
  for p; do
    case $p in broken*) echo "E: Unable to locate package $p" >&2; exit 100;; esac
    has "$p" || echo "$p" >> "$db"
  done
}
del() {
  for p; do grep -vx -- "$p" "$db" > "$db.tmp" || true; mv "$db.tmp" "$db"; done
}
for last; do :; done
case $(basename "$0") in
  dpkg-query)
    if has "$last"; then printf 'install ok installed'; exit 0; fi
    echo "dpkg-query: no packages found matching $last" >&2; exit 1;;
  rpm) has "$last";;
  apt-get|dnf)
    cmd=$1; shift; shift
    case $cmd in install) add "$@";; remove) del "$@";; esac;;
  brew)
    cmd=$1; shift
    case $cmd in
      list) shift; if has "$1"; then echo "$1 1.0"; else exit 1; fi;;
      install) add "$@";;
      uninstall) del "$@";;
    esac;;
  npm)
    cmd=$1; shift; shift
    case $cmd in
      ls)
        printf '{"dependencies":{'; sep=''
        while read -r p; do printf '%s"%s":{"version":"1.0.0"}' "$sep" "$p"; sep=','; done < "$db"
        printf '}}\n';;
      install) add "$@";;
      uninstall) del "$@";;
    esac;;
esac
`;

const NAMES = ['apt-get', 'dpkg-query', 'dnf', 'rpm', 'brew', 'npm'];

/** A fake package-manager world in a temp dir. */
export interface FakeManager {
  readonly dir: string;
  /** The environment to run actions with (`ctx.data.env`): the fake first on PATH. */
  readonly env: Readonly<Record<string, string>>;
  /** Installed packages, in install order. */
  installed(): Promise<string[]>;
  /** Every call made, e.g. `apt-get install -y jq`. */
  calls(): Promise<string[]>;
  /** Marks packages as installed before a test. */
  preinstall(...names: string[]): Promise<void>;
  /** A context whose environment runs the fake (`data.env` = {@link FakeManager.env}). */
  context(nodeId?: string): FakeActionContext;
}

/** Creates a fake manager with an empty database inside the directory `dir`. */
export async function makeFakeManager(dir: string): Promise<FakeManager> {
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'fake-pm'), SCRIPT);
  await chmod(join(bin, 'fake-pm'), 0o755);
  for (const name of NAMES) await symlink('fake-pm', join(bin, name));
  const db = join(dir, 'installed.txt');
  const log = join(dir, 'calls.txt');
  await writeFile(db, '');
  await writeFile(log, '');
  const lines = async (path: string): Promise<string[]> => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
  const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_PKG_DB: db, FAKE_PKG_LOG: log };
  return {
    dir,
    env,
    installed: () => lines(db),
    calls: () => lines(log),
    preinstall: (...names) => appendFile(db, names.map((n) => `${n}\n`).join('')),
    context: (nodeId = 'pkgs') => fakeActionContext({ nodeId, data: { env } }),
  };
}

/**
 * A fresh {@link FakeManager} for each test of the calling file (in a temp dir removed after
 * it); the object returned reads the running test's manager.
 */
export function useFakeManager(): FakeManager {
  const fake = useInTempDir('writ-fake-pm-', makeFakeManager);
  return {
    get dir() {
      return fake().dir;
    },
    get env() {
      return fake().env;
    },
    installed: () => fake().installed(),
    calls: () => fake().calls(),
    preinstall: (...names) => fake().preinstall(...names),
    context: (nodeId) => fake().context(nodeId),
  };
}

/** The install/remove commands each manager is expected to run (queries left out). */
export const CHANGES: Record<ManagerName, { install: string; remove: string }> = {
  apt: { install: 'apt-get install -y', remove: 'apt-get remove -y' },
  dnf: { install: 'dnf install -y', remove: 'dnf remove -y' },
  brew: { install: 'brew install', remove: 'brew uninstall' },
  npm: { install: 'npm install -g', remove: 'npm uninstall -g' },
};

/** The install and remove calls made to `manager`, in order. */
export async function changeCalls(fake: FakeManager, manager: ManagerName): Promise<string[]> {
  const { install, remove } = CHANGES[manager];
  return (await fake.calls()).filter((c) => c.startsWith(`${install} `) || c.startsWith(`${remove} `));
}

