/**
 * 3.4/04 — A rate limit shared by every process.
 *
 * Chapter 3.1's server counts each client's lines per connection. Behind one address served by
 * several processes, a flooder that reconnects lands on another process with a fresh budget.
 * Count in Redis instead, one counter per sender and window: `SET key 0 PX windowMs NX` starts
 * a window (only if none is running), `INCR key` counts the line, `PTTL key` says when the window
 * ends — all three in one MULTI, so no other command comes between them and no counter is ever
 * left without its expiry. Every process then sees the same count, and a window ends for all of
 * them at once, windowMs after its first line.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.4/04)
 */
import { createClient } from 'redis';

export interface RateLimitOptions {
  /** Lines a sender may send per window. */
  limit: number;
  /** The window's length in ms, from the sender's first line in it. */
  windowMs: number;
}

export interface Verdict {
  allowed: boolean;
  /** Lines the sender has left in this window. */
  remaining: number;
  /** ms until this window ends: when a refused sender may send again. */
  retryAfterMs: number;
}

/** Senders are nicknames or addresses; anything longer is refused rather than stored. */
export const MAX_SENDER_LENGTH = 256;

/** The counter of one sender. */
export function rateKey(sender: string): string {
  return `rate:${sender}`;
}

const connection = (url: string) => createClient({ url });
type Client = ReturnType<typeof connection>;

export class SharedRateLimit {
  private constructor(
    private readonly client: Client,
    private readonly options: RateLimitOptions,
  ) {}

  static async connect(url: string, options: RateLimitOptions): Promise<SharedRateLimit> {
    const { limit, windowMs } = options;
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
    if (!Number.isSafeInteger(windowMs) || windowMs < 1)
      throw new RangeError(`windowMs must be a whole number of ms ≥ 1, got ${windowMs}`);
    const client = connection(url);
    // node-redis reconnects by itself; an 'error' event nobody listens to would crash the process.
    client.on('error', () => {});
    await client.connect();
    return new SharedRateLimit(client, { limit, windowMs });
  }

  /** Counts one line of `sender` and says whether it may go out. */
  async take(sender: string): Promise<Verdict> {
    if (sender.length === 0 || sender.length > MAX_SENDER_LENGTH)
      throw new RangeError(
        `sender must have 1 to ${MAX_SENDER_LENGTH} characters, got ${sender.length}`,
      );
    const key = rateKey(sender);
    const { limit, windowMs } = this.options;
    // One transaction: the window's start, the count and its end, with nothing in between.
    const [, count, ttl] = await this.client
      .multi()
      .set(key, 0, { condition: 'NX', expiration: { type: 'PX', value: windowMs } })
      .incr(key)
      .pTTL(key)
      .exec();
    const lines = Number(count);
    return {
      allowed: lines <= limit,
      remaining: Math.max(0, limit - lines),
      // PTTL answers -2 for a key that is gone: never report a negative wait.
      retryAfterMs: Math.max(0, Number(ttl)),
    };
  }

  async close(): Promise<void> {
    if (this.client.isReady) await this.client.close();
    else if (this.client.isOpen) this.client.destroy();
  }
}
