/**
 * Keepalive, sans-I/O: is the peer still there? RFC 6455 §5.5.2: "A Ping frame may serve
 * either as a keepalive or as a means to verify that the remote endpoint is still
 * responsive." and §5.5.3: "A Pong frame sent in response to a Ping frame must have
 * identical 'Application data'" — every conforming peer answers. The rule, with the time
 * passed in so that it is tested on a clock the test moves:
 *
 *   onActivity(now)   anything received from the peer (a pong, a message, even part of a
 *                     frame) proves it is there: the idle clock starts again
 *   due(now) ─▶ 'ping'       silent for pingInterval: send one ping (asked once per silence)
 *            ─▶ 'dead'       still silent pongTimeout after that ping: fail the connection
 *            ─▶ undefined    nothing to do
 *
 * Any bytes count, not only the pong to our ping: a peer busy sending us a large message has
 * its pong queued behind it, yet it is plainly alive. (python-websockets waits for the
 * matching pong, and can time out such a peer; `ws` leaves keepalive to the application.)
 */
import { DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT } from './constants.ts';

export interface KeepaliveSettings {
  /** ms of silence from the peer after which we ping it. */
  readonly pingInterval: number;
  /** ms after that ping within which something must arrive, else the peer is dead. */
  readonly pongTimeout: number;
}

export type LivenessVerdict = 'ping' | 'dead' | undefined;

export class Liveness {
  private lastHeard: number;
  /** When we pinged the current silence; NaN while none is outstanding. */
  private pingedAt = Number.NaN;

  constructor(
    readonly settings: KeepaliveSettings,
    now: number,
  ) {
    this.lastHeard = now;
  }

  /** The peer sent something at `now`. */
  onActivity(now: number): void {
    this.lastHeard = now;
    this.pingedAt = Number.NaN;
  }

  /** What the connection should do at `now`; 'ping' means a ping is now outstanding. */
  due(now: number): LivenessVerdict {
    if (!Number.isNaN(this.pingedAt)) {
      return now - this.pingedAt >= this.settings.pongTimeout ? 'dead' : undefined;
    }
    if (now - this.lastHeard < this.settings.pingInterval) return undefined;
    this.pingedAt = now;
    return 'ping';
  }
}

/**
 * The settings for the options given: defaults filled in, or undefined when keepalive is off
 * (`pingInterval: 0`). Throws TypeError for a value that is not a duration.
 */
export function keepaliveSettings(
  options: { pingInterval?: number | undefined; pongTimeout?: number | undefined },
  defaults: KeepaliveSettings = {
    pingInterval: DEFAULT_PING_INTERVAL,
    pongTimeout: DEFAULT_PONG_TIMEOUT,
  },
): KeepaliveSettings | undefined {
  const pingInterval = options.pingInterval ?? defaults.pingInterval;
  const pongTimeout = options.pongTimeout ?? defaults.pongTimeout;
  if (!Number.isFinite(pingInterval) || pingInterval < 0) {
    throw new TypeError(
      `pingInterval must be a number of ms (0 turns keepalive off), got ${pingInterval}`,
    );
  }
  if (!Number.isFinite(pongTimeout) || pongTimeout <= 0) {
    throw new TypeError(`pongTimeout must be a positive number of ms, got ${pongTimeout}`);
  }
  return pingInterval === 0 ? undefined : { pingInterval, pongTimeout };
}
