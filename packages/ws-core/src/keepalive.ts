/**
 * The I/O half of keepalive: one interval timer for all of a server's connections (or a
 * client's one), that asks each connection's Liveness (liveness.ts) what is due. An idle
 * connection costs its Liveness — two numbers — and no timer of its own; the sweep walks the
 * connections the owner already keeps, and stops by itself when there are none.
 *
 * Each sweep runs every quarter of the shorter of pingInterval and pongTimeout, so a peer is
 * pinged between pingInterval and 1.25 × pingInterval after it fell silent, and declared dead
 * at most a quarter of pongTimeout late.
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

  constructor(
    settings: KeepaliveSettings,
    /** The connections to check, as the owner keeps them (no copy, no second set). */
    private readonly members: () => Iterable<KeepaliveMember>,
  ) {
    this.period = Math.max(1, Math.min(settings.pingInterval, settings.pongTimeout) / 4);
  }

  /** Starts sweeping, if not already: call when a connection joins. */
  wake(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sweep(), this.period);
    // The sockets keep the process alive; a timer that only watches them must not.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    let any = false;
    for (const member of this.members()) {
      any = true;
      member.checkLiveness(now);
    }
    if (!any) this.stop(); // woken again by the next connection
  }
}
