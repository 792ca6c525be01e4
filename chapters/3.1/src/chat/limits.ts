/**
 * How much work one chat client may cause: members per room and in all, and lines per second.
 *
 * Backpressure (hub.ts) bounds what is *queued* per member, but not what one client makes the
 * server *do*. A broadcast is one send per member, so without these limits one client's input
 * is multiplied by the room size:
 *  - one 64 KiB read holds ~9,000 one-byte lines; sent to 300 members that is 2.7 million
 *    sends before the next read, all inside one event-loop turn (measured: 140 KB of input
 *    blocked the server for 6.7 s and allocated ~650 MB);
 *  - each join is announced to everyone and each welcome lists everyone, so N joins to one room
 *    cost about N² / 2 sends (2,000 joins: 92 MB sent, 4.2 s inside join).
 */

export interface ChatLimits {
  /** A join to a room this full is refused with 1013 (try again later). */
  maxRoomMembers: number;
  /** A join when the whole chat has this many members is refused with 1013. */
  maxMembers: number;
  /** Lines a member may send at once… */
  lineBurst: number;
  /** …and then per second. A member over its budget is closed with 1008. */
  linesPerSecond: number;
}

/** A classroom's sizes: far above what people type, far below what a script can send. */
export const DEFAULT_CHAT_LIMITS: ChatLimits = {
  maxRoomMembers: 200,
  maxMembers: 2000,
  lineBurst: 20,
  linesPerSecond: 5,
};

/**
 * A token bucket: it holds up to `burst` lines, refilled at `perSecond`. Each line takes one.
 * `now` is in milliseconds and injectable, so tests never wait for the clock.
 */
export class LineBudget {
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

  /** Takes one line from the budget; false (taking nothing) when it is spent. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
