import { describe, expect, it } from 'vitest';
import { AddressBuckets, TokenBucket } from '../src/chat/budgets.ts';
import { manualClock as clock } from './helpers.ts';

describe('TokenBucket', () => {
  it('gives `burst` tokens at once, then one per 1/perSecond seconds, and is full again after a rest', () => {
    const { time, now } = clock();
    const bucket = new TokenBucket(3, 2, now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    time.now += 499;
    expect(bucket.take()).toBe(false);
    time.now += 1;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    expect(bucket.full).toBe(false);
    time.now += 60_000; // a long rest refills it only up to the burst
    expect(bucket.full).toBe(true);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('AddressBuckets', () => {
  it('keeps one budget per address and leaves an unknown address unlimited', () => {
    const { now } = clock();
    const buckets = new AddressBuckets(1, 1, now);
    expect([buckets.take('10.0.0.1'), buckets.take('10.0.0.1')]).toEqual([true, false]);
    expect(buckets.take('10.0.0.2')).toBe(true);
    expect([buckets.take(undefined), buckets.take(undefined)]).toEqual([true, true]);
  });

  it('forgets addresses whose budget is full again, so it never outgrows the recent ones', () => {
    const { time, now } = clock();
    const buckets = new AddressBuckets(2, 1, now);
    // 10 waves of 500 new addresses, 2 s apart: each wave's buckets are full by the next one.
    let most = 0;
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 500; i++) buckets.take(`10.${wave}.${i >> 8}.${i & 255}`);
      most = Math.max(most, buckets.size);
      time.now += 2000;
    }
    // Swept once it has doubled: at most two waves' worth, never the 5,000 seen.
    expect(most).toBeLessThanOrEqual(2 * 500 + 64);
    // A forgotten address starts again with a full budget.
    expect([buckets.take('10.0.0.0'), buckets.take('10.0.0.0')]).toEqual([true, true]);
  });

  it('still refuses an address whose budget is spent after a sweep forgets the full ones', () => {
    const { time, now } = clock();
    const buckets = new AddressBuckets(2, 1, now);
    // 63 addresses take one token each; 1 s later their buckets are full again.
    for (let i = 0; i < 63; i++) buckets.take(`10.0.0.${i}`);
    time.now += 1000;
    const spender = '10.0.1.1';
    expect([buckets.take(spender), buckets.take(spender)]).toEqual([true, true]);
    expect(buckets.size).toBe(64);
    buckets.take('10.0.1.2'); // a new address at 64 remembered: the sweep runs now
    expect(buckets.take(spender)).toBe(false);
    expect(buckets.size).toBe(2); // the spender and the newcomer
  });
});
