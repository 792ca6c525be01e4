/**
 * Limiters on connections of their own stand for processes that share one budget per sender,
 * against a redis-server of each test's own. Lines are sent at once (Promise.all) to make the
 * race between processes real; windows are polled, never waited out with a sleep.
 */
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type RateLimitOptions,
  rateKey,
  SharedRateLimit,
  type Verdict,
} from './04-shared-rate-limit.ts';
import {
  cleanUp,
  eventually,
  later,
  shouldRunRedisTests,
  startRedis,
  WAIT_MS,
} from './grading/redis.ts';

afterEach(cleanUp);

async function connectLimit(url: string, options: RateLimitOptions): Promise<SharedRateLimit> {
  const limit = await SharedRateLimit.connect(url, options);
  later(() => within(limit.close(), WAIT_MS, 'close()').catch(() => {}));
  return limit;
}

describe.runIf(shouldRunRedisTests())('3.4/04 SharedRateLimit', () => {
  it('allows limit lines per window, then refuses, saying how long until the window ends', async () => {
    const { url } = await startRedis();
    const limiter = await connectLimit(url, { limit: 5, windowMs: 60_000 });
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 6; i++) verdicts.push(await limiter.take('ann'));
    expect(
      verdicts.map((v) => [v.allowed, v.remaining]),
      '[allowed, remaining] for six lines with limit 5',
    ).toEqual([
      [true, 4],
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    const refused = verdicts[5]?.retryAfterMs ?? -1;
    expect(refused, 'retryAfterMs of the refused line').toBeGreaterThan(0);
    expect(refused, 'retryAfterMs of the refused line').toBeLessThanOrEqual(60_000);
  });

  it('shares one budget between processes: of 200 lines sent at once through four connections, exactly the limit pass', async () => {
    const { url } = await startRedis();
    const options = { limit: 50, windowMs: 60_000 };
    const limiters = await Promise.all(Array.from({ length: 4 }, () => connectLimit(url, options)));
    for (let round = 0; round < 5; round++) {
      const sender = `flooder-${round}`;
      const verdicts = await Promise.all(
        Array.from({ length: 200 }, (_, i) => limiters[i % 4]?.take(sender)),
      );
      expect(
        verdicts.filter((v) => v?.allowed).length,
        `lines of ${sender} allowed out of 200 sent at once, limit 50 (decide by the number INCR returns: after a GET, other processes count before you do)`,
      ).toBe(50);
    }
  });

  it('opens again for every process when the window ends, without a take pushing the end back', async () => {
    const { url } = await startRedis();
    // Long enough for three takes on a loaded machine to fall in one window.
    const options = { limit: 2, windowMs: 2000 };
    const [a, b] = [await connectLimit(url, options), await connectLimit(url, options)];
    expect((await a.take('ann')).allowed).toBe(true);
    expect((await a.take('ann')).allowed).toBe(true);
    const refused = await b.take('ann');
    expect(refused.allowed, 'a third line, through another process').toBe(false);
    expect(refused.retryAfterMs, 'retryAfterMs').toBeLessThanOrEqual(2000);

    // b keeps trying, every few ms: the window still ends 2000 ms after its first line.
    let tries = 0;
    await eventually(
      async () => {
        tries++;
        return (await b.take('ann')).allowed || undefined;
      },
      "ann's next window",
      () =>
        `${tries} tries were refused: the window must end windowMs after its first line; a refused line must not push that back`,
    );
    expect((await a.take('ann')).allowed, 'the second line of the new window, through a').toBe(
      true,
    );
    expect((await a.take('ann')).allowed, 'a third line in the new window').toBe(false);
  });

  it('never leaves a counter without an expiry, and never extends a running window', async () => {
    const { url, admin } = await startRedis();
    const limiter = await connectLimit(url, { limit: 100, windowMs: 10_000 });
    const key = rateKey('ann');
    await limiter.take('ann');
    const first = await admin.pTTL(key);
    expect(
      first,
      `PTTL of ${key} after the first line (-1: no expiry, the count would never end)`,
    ).toBeGreaterThan(0);
    expect(first, `PTTL of ${key} after the first line`).toBeLessThanOrEqual(10_000);
    for (let line = 2; line <= 5; line++) {
      // Let the window run a little, so that a restart of it would show.
      const mark = await admin.pTTL(key);
      await eventually(
        async () => (await admin.pTTL(key)) < mark - 20 || undefined,
        'the window to run 20 ms',
      );
      const before = await admin.pTTL(key);
      await limiter.take('ann');
      const after = await admin.pTTL(key);
      expect(after, `PTTL of ${key} after line ${line}`).toBeGreaterThan(0);
      expect(
        after,
        `PTTL before line ${line} was ${before}, after it ${after}: a later line must not restart the window`,
      ).toBeLessThanOrEqual(before);
    }
    expect(await admin.keys('*'), 'keys the limiter wrote').toEqual([key]);
  });

  it('keeps senders apart, and refuses bad settings and senders with a RangeError naming them', async () => {
    const { url } = await startRedis();
    for (const [options, named] of [
      [{ limit: 0, windowMs: 1000 }, 'limit'],
      [{ limit: 1.5, windowMs: 1000 }, 'limit'],
      [{ limit: 5, windowMs: 0 }, 'windowMs'],
      [{ limit: 5, windowMs: Number.NaN }, 'windowMs'],
    ] as const) {
      const attempt = SharedRateLimit.connect(url, options);
      await expect(attempt, JSON.stringify(options)).rejects.toBeInstanceOf(RangeError);
      await expect(attempt, JSON.stringify(options)).rejects.toThrow(named);
    }
    const limiter = await connectLimit(url, { limit: 1, windowMs: 60_000 });
    expect((await limiter.take('ann')).allowed).toBe(true);
    expect((await limiter.take('bob')).allowed, "bob's first line after ann's").toBe(true);
    expect((await limiter.take('ann')).allowed).toBe(false);
    await expect(limiter.take(''), 'an empty sender').rejects.toBeInstanceOf(RangeError);
    await expect(
      limiter.take('x'.repeat(10_000)),
      'a 10000-character sender',
    ).rejects.toBeInstanceOf(RangeError);
  });
});
