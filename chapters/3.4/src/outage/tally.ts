/**
 * Counting an outage's damage from what the receiver saw: the sender numbered its lines
 * 1…sent, so every number missing is a line lost, every number seen twice a duplicate, and
 * every number smaller than one before it a line out of order.
 */

export type Tally = {
  sent: number;
  /** Distinct numbers received, 1…sent. */
  received: number;
  lost: number;
  /** The lost numbers as ranges, e.g. "41–139, 151"; "" when none. */
  lostRanges: string;
  /** Receptions of a number already received. */
  duplicates: number;
  /** Receptions of a number smaller than the largest received before it (duplicates aside). */
  outOfOrder: number;
};

/** `seen` is the numbers the receiver got, in the order it got them. */
export function tallyLines(sent: number, seen: readonly number[]): Tally {
  const got = new Set<number>();
  let duplicates = 0;
  let outOfOrder = 0;
  let highest = 0;
  for (const n of seen) {
    if (!Number.isSafeInteger(n) || n < 1 || n > sent)
      throw new RangeError(`received line ${n}, but only 1…${sent} were sent`);
    if (got.has(n)) {
      duplicates++;
      continue;
    }
    got.add(n);
    if (n < highest) outOfOrder++;
    highest = Math.max(highest, n);
  }
  const missing: number[] = [];
  for (let n = 1; n <= sent; n++) if (!got.has(n)) missing.push(n);
  return {
    sent,
    received: got.size,
    lost: missing.length,
    lostRanges: formatRanges(missing),
    duplicates,
    outOfOrder,
  };
}

/** [3, 4, 5, 9] → "3–5, 9": ascending numbers as runs. */
export function formatRanges(numbers: readonly number[]): string {
  const runs: string[] = [];
  let start: number | undefined;
  let end = 0;
  for (const n of numbers) {
    if (start !== undefined && n === end + 1) {
      end = n;
      continue;
    }
    if (start !== undefined) runs.push(start === end ? `${start}` : `${start}–${end}`);
    start = n;
    end = n;
  }
  if (start !== undefined) runs.push(start === end ? `${start}` : `${start}–${end}`);
  return runs.join(', ');
}
