import { dirname } from 'node:path';
import { WritLoreError } from '../../graph/index.js';
import type { Collision } from '../../graph/index.js';
import { compareText } from './order.js';
import type { WritCandidate } from './scan.js';

/** The winning source of every target, and a record of every source that lost. */
export interface SettledTargets {
  /** One candidate per target, sorted by target path. */
  readonly winners: readonly WritCandidate[];
  /** Sorted by target, then loser. */
  readonly collisions: readonly Collision[];
}

/**
 * Settles targets wanted by several sources: the higher layer wins; within a layer, the more
 * specific project directory wins. Two best sources of equal layer and specificity are an
 * error naming both (a tie among sources that lose anyway is only recorded). A target inside
 * another target (`~/.vim` and `~/.vim/vimrc`) is an error too: one would write through the
 * other.
 */
export function settleCollisions(candidates: readonly WritCandidate[]): SettledTargets {
  const byTarget = new Map<string, WritCandidate[]>();
  for (const candidate of candidates) {
    const group = byTarget.get(candidate.target);
    if (group === undefined) byTarget.set(candidate.target, [candidate]);
    else group.push(candidate);
  }
  const winners: WritCandidate[] = [];
  const collisions: Collision[] = [];
  // The default sort compares UTF-16 code units, as compareText does, without a JS callback.
  for (const target of [...byTarget.keys()].sort()) {
    const found = byTarget.get(target) ?? [];
    const group = found.length === 1 ? found : found.slice().sort(compareCandidates);
    const [winner, runnerUp] = group as [WritCandidate, WritCandidate | undefined];
    if (runnerUp !== undefined && compareRank(winner, runnerUp) === 0) throw tieError(winner, runnerUp);
    winners.push(winner);
    for (const loser of group.slice(1)) collisions.push(collisionRecord(winner, loser));
  }
  checkNesting(winners);
  return { winners, collisions };
}

/** Best first: layer rank, then specificity (descending), then source path for a stable order. */
function compareCandidates(a: WritCandidate, b: WritCandidate): number {
  return compareRank(a, b) || compareText(a.source, b.source);
}

function compareRank(a: WritCandidate, b: WritCandidate): number {
  return b.layer.rank - a.layer.rank || b.specificity - a.specificity;
}

function collisionRecord(winner: WritCandidate, loser: WritCandidate): Collision {
  const reason =
    winner.layer.rank !== loser.layer.rank
      ? `layer "${winner.layer.name}" ranks above layer "${loser.layer.name}"`
      : winner.specificity !== loser.specificity
        ? `"${winner.directory}" (specificity ${winner.specificity}) is more specific than "${loser.directory}" (specificity ${loser.specificity})`
        : `"${winner.directory}" and "${loser.directory}" tie, but both lose to a higher source`;
  return {
    target: winner.target,
    winner: winner.source,
    winner_layer: winner.layer.name,
    loser: loser.source,
    loser_layer: loser.layer.name,
    reason,
  };
}

function tieError(a: WritCandidate, b: WritCandidate): WritLoreError {
  const [first, second] = [a.source, b.source].sort(compareText);
  return new WritLoreError(
    'invalid-input',
    `two sources for ${a.target} in layer "${a.layer.name}" with the same specificity (${a.specificity}): ${first} and ${second}`,
    {
      path: a.target,
      hint: 'remove one of them, or move one into a more specific project directory (e.g. <project>.Linux)',
    },
  );
}

/** Refuses a target that lies inside another target. */
function checkNesting(winners: readonly WritCandidate[]): void {
  const targets = new Map(winners.map((candidate) => [candidate.target, candidate]));
  // Directories already seen to hold no target up to the root: siblings stop there.
  const clear = new Set<string>();
  for (const candidate of winners) {
    const walked: string[] = [];
    for (let parent = dirname(candidate.target); parent !== dirname(parent) && !clear.has(parent); parent = dirname(parent)) {
      const outer = targets.get(parent);
      if (outer === undefined) {
        walked.push(parent);
        continue;
      }
      throw new WritLoreError(
        'invalid-input',
        `${candidate.target} (from ${candidate.source}) lies inside ${outer.target}, which ${outer.source} deploys as a file`,
        { path: candidate.target, hint: 'deploy the directory or the files in it, not both' },
      );
    }
    for (const dir of walked) clear.add(dir);
  }
}
