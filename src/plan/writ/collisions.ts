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
  if (isStrictlySorted(candidates)) {
    // One source per target, already in target order (one project directory, the usual case).
    checkNesting(candidates);
    return { winners: [...candidates], collisions: [] };
  }
  // A target's one candidate, or all of them once a second source wants it.
  const byTarget = new Map<string, WritCandidate | WritCandidate[]>();
  for (const candidate of candidates) {
    const found = byTarget.get(candidate.target);
    if (found === undefined) byTarget.set(candidate.target, candidate);
    else if (Array.isArray(found)) found.push(candidate);
    else byTarget.set(candidate.target, [found, candidate]);
  }
  const winners: WritCandidate[] = [];
  const collisions: Collision[] = [];
  // The default sort compares UTF-16 code units, as compareText does, without a JS callback.
  for (const target of [...byTarget.keys()].sort()) {
    const found = byTarget.get(target) as WritCandidate | WritCandidate[];
    if (!Array.isArray(found)) {
      winners.push(found);
      continue;
    }
    const group = found.sort(compareCandidates);
    const [winner, runnerUp] = group as [WritCandidate, WritCandidate];
    if (compareRank(winner, runnerUp) === 0) throw tieError(winner, runnerUp);
    winners.push(winner);
    for (const loser of group.slice(1)) collisions.push(collisionRecord(winner, loser));
  }
  checkNesting(winners);
  return { winners, collisions };
}

/** Whether every target comes after the one before it (so no two are equal). */
function isStrictlySorted(candidates: readonly WritCandidate[]): boolean {
  for (let index = 1; index < candidates.length; index += 1) {
    if ((candidates[index - 1] as WritCandidate).target >= (candidates[index] as WritCandidate).target) return false;
  }
  return true;
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

/**
 * Refuses a target that lies inside another target. `winners` are sorted by target, so every
 * target comes after the targets it could lie in, and everything between `~/.vim` and
 * `~/.vim/vimrc` starts with `~/.vim` too: a stack of the targets that are prefixes of the
 * current one holds all its candidate outer targets (no directory-by-directory lookups).
 */
function checkNesting(winners: readonly WritCandidate[]): void {
  const open: WritCandidate[] = [];
  for (const candidate of winners) {
    const { target } = candidate;
    while (open.length > 0 && !target.startsWith((open[open.length - 1] as WritCandidate).target)) open.pop();
    // The first nested target in order has one outer target: any other would be nested first.
    for (const outer of open) {
      if (target.charCodeAt(outer.target.length) !== SLASH) continue;
      throw new WritLoreError(
        'invalid-input',
        `${target} (from ${candidate.source}) lies inside ${outer.target}, which ${outer.source} deploys as a file`,
        { path: target, hint: 'deploy the directory or the files in it, not both' },
      );
    }
    open.push(candidate);
  }
}

const SLASH = 0x2f;
