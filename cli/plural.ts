/**
 * A count with its noun, singular for exactly one: `1 target`, `0 targets`, `2 identities`
 * (`plural` for a noun that does not just take an `s`).
 */
export function formatCount(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
