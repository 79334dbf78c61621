// The deterministic plan and starting tree shared by the crash test and its child process.
import fs from 'node:fs';
import path from 'node:path';

const KINDS = ['link', 'link', 'link', 'link', 'link', 'copy', 'copy', 'write', 'write', 'mkdir'];

/** The kind of node `index` and its target path (relative to the target dir). */
export function nodeShape(index) {
  const kind = KINDS[index % KINDS.length];
  return { kind, relative: `d${index % 40}/s${index % 7}/${kind}-${index}` };
}

/** True when the target of node `index` already holds a user file before the run. */
export function hasUserFile(index) {
  const { kind } = nodeShape(index);
  return kind !== 'mkdir' && index % 9 === 0;
}

/** Creates the repository sources and the user's pre-existing files. */
export function seedTrees({ targetDir, repoDir, count }) {
  fs.mkdirSync(repoDir, { recursive: true });
  for (let index = 0; index < count; index += 1) {
    fs.writeFileSync(path.join(repoDir, `src-${index}`), `source ${index}\n`.repeat(1 + (index % 5)));
  }
  for (let index = 0; index < count; index += 1) {
    if (!hasUserFile(index)) continue;
    const target = path.join(targetDir, nodeShape(index).relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `the user's own file ${index}\n`, { mode: index % 2 === 0 ? 0o600 : 0o644 });
  }
  // A user symlink and an existing directory the run will write into.
  fs.mkdirSync(path.join(targetDir, 'd1', 's1'), { recursive: true });
}

function slot(value) {
  return { kind: 'immediate', value };
}

/** A pending flat graph of `count` file actions into `targetDir`. */
export function buildCrashPlan({ targetDir, repoDir, count }) {
  const nodes = [];
  for (let index = 0; index < count; index += 1) {
    const { kind, relative } = nodeShape(index);
    const target = path.join(targetDir, relative);
    const source = path.join(repoDir, `src-${index}`);
    const slots =
      kind === 'link' ? { source: slot(source), path: slot(target) }
      : kind === 'copy' ? { source: slot(source), path: slot(target), mode: slot('0644') }
      : kind === 'write' ? { content: slot(`written ${index}\n`), path: slot(target), mode: slot('0600') }
      : { path: slot(target), mode: slot('0755') };
    nodes.push({ id: `n${index}`, action: `file.${kind}`, status: 'pending', slots, project: `p${index % 3}` });
  }
  return {
    version: '1',
    tool: 'writ',
    timestamp: '2026-11-20T10:00:00.000Z',
    state: 'pending',
    platform: { os: 'linux', arch: 'x64' },
    context: { target_root: targetDir },
    nodes,
    edges: [],
  };
}
