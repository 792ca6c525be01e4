/**
 * The I/O half of keepalive: one interval timer for all of a server's connections (or a
 * client's one), that asks each connection's Liveness (liveness.ts) what is due. An idle
 * connection costs its Liveness — a few numbers — and no timer of its own; the sweep walks the
 * connections the owner already keeps, and stops by itself when there are none.
 *
 * Each sweep runs every quarter of the shorter of pingInterval and pongTimeout, so a peer is
 * pinged between pingInterval and 1.25 × pingInterval after it fell silent, and declared dead
 * at most a quarter of pongTimeout late.
 *
 * A sweep that runs late (the event loop was blocked for more than two periods) judges no one:
 * timers run before the loop reads sockets, so the pongs of healthy peers may be waiting
 * unread, and one long synchronous task must not cost every client its connection. The next
 * sweep, one period on, judges with what has been read by then — even if it is late too: a
 * skipped sweep lets the loop read what was waiting, and skipping every late sweep would turn
 * keepalive off for as long as the loop stays that slow.
 */
import type { KeepaliveSettings } from './liveness.ts';

/** What the sweep needs of a connection. */
export interface KeepaliveMember {
  checkLiveness(now: number): void;
}

export class KeepaliveSweep {
  /** ms between sweeps. */
  readonly period: number;
  private timer: NodeJS.Timeout | undefined;
  private lastTick = Number.NaN;
  /** The previous tick was late and skipped: this one judges, late or not. */
  private skippedLast = false;

  constructor(
    settings: KeepaliveSettings,
    /** The connections to check, as the owner keeps them (no copy, no second set). */
    private readonly members: () => Iterable<KeepaliveMember>,
    /** The time each tick is given (the owner's clock: a server's `clock` option). */
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.period = Math.max(1, Math.min(settings.pingInterval, settings.pongTimeout) / 4);
  }

  /** Starts sweeping, if not already: call when a connection joins. */
  wake(): void {
    if (this.timer !== undefined) return;
    this.lastTick = Number.NaN;
    this.skippedLast = false;
    this.timer = setInterval(() => this.tick(this.clock()), this.period);
    // The sockets keep the process alive; a timer that only watches them must not.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep at `now`: the interval calls it; a test may call it with a clock it moves. */
  tick(now: number): void {
    // False on the first tick (NaN), and on the tick after a skipped one.
    const skip = now - this.lastTick > 2 * this.period && !this.skippedLast;
    this.lastTick = now;
    this.skippedLast = skip;
    if (skip) return;
    let any = false;
    for (const member of this.members()) {
      any = true;
      member.checkLiveness(now);
    }
    if (!any) this.stop(); // woken again by the next connection
  }
}
