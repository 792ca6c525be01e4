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
// createClient from 'redis' opens a connection:
//   import { createClient } from 'redis';

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

export class SharedRateLimit {
  static async connect(url: string, options: RateLimitOptions): Promise<SharedRateLimit> {
    // TODO 1: refuse a limit or windowMs that is not a whole number ≥ 1 with a RangeError naming
    //   the setting; then connect a client (with an 'error' listener).
    throw new Error(`TODO: connect to ${url} (limit ${options.limit} per ${options.windowMs} ms)`);
  }

  /** Counts one line of `sender` and says whether it may go out. */
  take(sender: string): Promise<Verdict> {
    // TODO 2: refuse an empty sender or one longer than MAX_SENDER_LENGTH (RangeError). Then, in
    //   one MULTI on rateKey(sender): SET key 0 PX windowMs NX (starts a window if none runs),
    //   INCR key (this line's number in the window), PTTL key (ms until it ends). Allowed while
    //   the number is at most the limit.
    return Promise.reject(new Error(`TODO: count a line of ${sender}`));
  }

  close(): Promise<void> {
    // TODO 3: close the client.
    return Promise.reject(new Error('TODO: close the limiter'));
  }
}
