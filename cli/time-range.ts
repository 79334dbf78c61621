import { WritLoreError } from '../src/index.js';

/** Milliseconds per unit of a relative `--since/--until` value. */
const UNIT_MS = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const satisfies Record<string, number>;

const RELATIVE = /^(\d+)([mhdw])$/;
// A calendar date, or a date and time with optional seconds, fraction and zone.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function isUnit(unit: string): unit is keyof typeof UNIT_MS {
  return unit in UNIT_MS;
}

/**
 * Parses a `--since`/`--until` value: `30m`, `24h`, `7d`, `2w` before `now`, or an ISO date
 * (`2026-11-01`: from midnight UTC for `--since`, to the day's last millisecond for
 * `--until`) or date-time (`2026-11-01T12:00`, UTC unless a zone is given).
 * Anything else is an `invalid-input` error (exit 2) naming the flag and the accepted forms.
 */
export function parseTimeBound(value: string, flag: string, now: Date): Date {
  const relative = RELATIVE.exec(value);
  if (relative !== null) {
    const [, amount, unit] = relative;
    if (amount !== undefined && unit !== undefined && isUnit(unit)) {
      return new Date(now.getTime() - Number(amount) * UNIT_MS[unit]);
    }
  }
  if (ISO.test(value)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10;
    const normalised = value.replace(' ', 'T');
    const time = Date.parse(value.length === 10 || hasZone ? normalised : `${normalised}Z`);
    if (!Number.isNaN(time) && sameCalendarDay(value, time, hasZone)) {
      // A bare date as an upper bound means the whole day, so `--until 2026-11-01` includes it.
      const isWholeDay = value.length === 10 && flag === '--until';
      return new Date(isWholeDay ? time + UNIT_MS.d - 1 : time);
    }
  }
  throw new WritLoreError(
    'invalid-input',
    `invalid ${flag} ${JSON.stringify(value)}: use 30m, 24h, 7d, 2w or an ISO date such as 2026-11-01`,
    { hint: 'relative values count back from now; ISO dates and times without a zone are UTC' },
  );
}

// Date.parse rolls 2026-02-30 over to March; reject dates that do not exist.
function sameCalendarDay(value: string, time: number, hasZone: boolean): boolean {
  if (hasZone) return true;
  return new Date(time).toISOString().slice(0, 10) === value.slice(0, 10);
}

/** An inclusive time window; either end may be open. */
export interface TimeRange {
  readonly since?: Date;
  readonly until?: Date;
}

/** Parses both flags (either may be absent); `since` after `until` is an error. */
export function parseTimeRange(options: { since?: string; until?: string }, now: Date): TimeRange {
  const since = options.since === undefined ? undefined : parseTimeBound(options.since, '--since', now);
  const until = options.until === undefined ? undefined : parseTimeBound(options.until, '--until', now);
  if (since !== undefined && until !== undefined && since.getTime() > until.getTime()) {
    throw new WritLoreError(
      'invalid-input',
      `--since (${since.toISOString()}) is after --until (${until.toISOString()})`,
      { hint: 'swap the two values' },
    );
  }
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}
