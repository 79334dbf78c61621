import { WritLoreError } from './errors.js';

/** Milliseconds per duration unit, largest first (the order units must appear in). */
const UNITS = [
  ['w', 7 * 24 * 60 * 60 * 1000],
  ['d', 24 * 60 * 60 * 1000],
  ['h', 60 * 60 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
] as const satisfies readonly (readonly [string, number])[];

const UNIT_MS: ReadonlyMap<string, number> = new Map(UNITS);
const UNIT_RANK: ReadonlyMap<string, number> = new Map(UNITS.map(([unit], rank) => [unit, rank]));

/** One `<number><unit>` term; `ms` must be tried before `m`. */
const TERM = /(\d+(?:\.\d+)?)(ms|[wdhms])/y;

function invalidDuration(text: string): WritLoreError {
  return new WritLoreError(
    'invalid-input',
    `invalid duration ${JSON.stringify(text)} (use e.g. 500ms, 2s, 1m30s)`,
    { hint: 'units: ms, s, m, h, d, w, largest first, each at most once' },
  );
}

/**
 * Parses a duration string (`250ms`, `2s`, `1m30s`, `1.5s`, `7d`, `2w`, or `0`) into whole
 * milliseconds (rounded). Strict: units largest first, each at most once, no sign, no spaces.
 */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  let total = 0;
  let lastRank = -1;
  let index = 0;
  while (index < text.length) {
    TERM.lastIndex = index;
    const match = TERM.exec(text);
    const unit = match?.[2];
    const rank = unit === undefined ? undefined : UNIT_RANK.get(unit);
    if (match === null || unit === undefined || rank === undefined || rank <= lastRank) {
      throw invalidDuration(text);
    }
    total += Number(match[1]) * (UNIT_MS.get(unit) ?? 0);
    lastRank = rank;
    index = TERM.lastIndex;
  }
  if (index === 0) throw invalidDuration(text);
  return Math.round(total);
}

/** True when `text` is a duration {@link parseDuration} accepts. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch (error) {
    // Only our own parse error means "not a duration"; anything else is a bug to surface.
    if (error instanceof WritLoreError && error.code === 'invalid-input') return false;
    throw error;
  }
}

/**
 * Formats milliseconds as the shortest duration string {@link parseDuration} reads back
 * (`90000` → `1m30s`, `1500` → `1s500ms`, `0` → `0ms`). Fractions of a millisecond are rounded.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    const message = `cannot format ${ms} as a duration (need a finite ms ≥ 0)`;
    throw new WritLoreError('invalid-input', message);
  }
  let rest = Math.round(ms);
  if (rest === 0) return '0ms';
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
