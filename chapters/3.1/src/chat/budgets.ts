/**
 * Token buckets for the chat's rates (limits.ts): lines per member, joins per address.
 * Time is in milliseconds from an injectable clock, so tests never wait for it.
 */

/** Holds up to `burst` tokens, refilled at `perSecond`; each action takes one. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false (taking nothing) when none is left. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Full again: the same as a new bucket, so whoever holds it may forget it. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}

/** One bucket per network address, forgetting the buckets that are full again. */
export class AddressBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  /** The map's size at which full buckets are swept out next. */
  private sweepAt = 64;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `address`; an unknown (undefined) address is not limited. */
  take(address: string | undefined): boolean {
    if (address === undefined) return true;
    let bucket = this.buckets.get(address);
    if (bucket === undefined) {
      this.sweep();
      bucket = new TokenBucket(this.burst, this.perSecond, this.now);
      this.buckets.set(address, bucket);
    }
    return bucket.take();
  }

  /** Addresses remembered: those whose bucket is not yet full again (and a few more). */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Without this, every address that ever joined would stay in the map. Sweeping only once the
   * map has doubled keeps the cost at O(1) per new address on average.
   */
  private sweep(): void {
    if (this.buckets.size < this.sweepAt) return;
    for (const [address, bucket] of this.buckets) {
      if (bucket.full) this.buckets.delete(address);
    }
    this.sweepAt = Math.max(64, 2 * this.buckets.size);
  }
}
