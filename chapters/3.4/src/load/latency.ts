/**
 * Delivery latencies in bounded memory: a histogram whose buckets grow by 2 % each, from 1 µs
 * to over 100 s, so a run of any length keeps the same ~950 counters and every percentile it
 * reports is within 2 % of the exact one.
 */

/** The smallest latency told apart from zero: 1 µs. */
const MIN_MS = 0.001;
/** Each bucket's upper edge is 2 % above its lower edge. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to MIN_MS × GROWTH^BUCKETS ≈ 150 s; anything slower lands in the last one. */
const BUCKETS = 950;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private largest = 0;

  /** Records one latency in milliseconds (below 1 µs counts as 1 µs). */
  record(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a latency must be 0 ms or more, not ${ms}`);
    const index = Math.min(BUCKETS - 1, Math.max(0, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH)));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    if (ms > this.largest) this.largest = ms;
  }

  get count(): number {
    return this.total;
  }

  /** The slowest latency recorded, exactly; NaN when nothing was recorded. */
  get max(): number {
    return this.total === 0 ? Number.NaN : this.largest;
  }

  /**
   * The nearest-rank `p`th percentile (p in 0..100): the upper edge of the bucket holding it,
   * never more than the slowest latency seen. NaN when nothing was recorded.
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is from 0 to 100, not ${p}`);
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    // The last bucket has no upper edge: whatever lands there is answered with the max.
    for (let index = 0; index < BUCKETS - 1; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return Math.min(this.largest, MIN_MS * GROWTH ** index);
    }
    return this.largest;
  }
}
