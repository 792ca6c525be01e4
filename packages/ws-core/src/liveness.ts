/**
 * Keepalive, sans-I/O: is the peer still there? RFC 6455 §5.5.2: "A Ping frame may serve
 * either as a keepalive or as a means to verify that the remote endpoint is still
 * responsive." and §5.5.3: "A Pong frame sent in response to a Ping frame must have
 * identical 'Application data'" — every conforming peer answers. The rule, with the time
 * passed in so that it is tested on a clock the test moves:
 *
 *   onActivity(now)   anything received from the peer (a pong, a message, even part of a
 *                     frame) proves it is there: the idle clock starts again
 *   due(now, traffic) ─▶ 'ping'     silent for pingInterval: send one ping (once per silence)
 *                     ─▶ 'dead'     still silent pongTimeout after that ping: fail it (1011)
 *                     ─▶ 'stalled'  we owe it bytes and it took none for pongTimeout (1008)
 *                     ─▶ undefined  nothing to do
 *
 * Any bytes count, not only the pong to our ping: a peer busy sending us a large message has
 * its pong queued behind it, yet it is plainly alive. (python-websockets waits for the
 * matching pong, and can time out such a peer; `ws` leaves keepalive to the application.)
 *
 * The other direction counts too. `traffic` says what the socket shows of our writes: how
 * many bytes it has sent so far, and how many we still owe. While we owe bytes, the kernel's
 * buffer is full, and it takes more only as the peer reads — so `sent` growing then is the
 * peer reading: it is there, and our ping, which may wait behind those bytes, gets its full
 * pongTimeout from when the peer last took some. A slow reader of a large message is never
 * timed out for a pong it has not reached. (Growth while we owed nothing proves nothing: the
 * kernel takes bytes for a vanished peer too, until its buffer is full.) And a peer that takes
 * none of what we owe for pongTimeout is 'stalled': not reading, or gone. That holds even while
 * we have stopped reading it (backpressure), when its own silence proves nothing.
 *
 * What the kernel already holds cannot be seen from here: a ping that has left our buffers may
 * still wait behind up to the socket buffers' worth of bytes (a few MiB), which pongTimeout
 * must leave the peer time to read.
 */
import { DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT } from './constants.ts';

export interface KeepaliveSettings {
  /** ms of silence from the peer after which we ping it. */
  readonly pingInterval: number;
  /** ms after that ping within which something must arrive, else the peer is dead. */
  readonly pongTimeout: number;
}

export type LivenessVerdict = 'ping' | 'dead' | 'stalled' | undefined;

/** What the connection's socket shows at a check (the I/O layer reads it; the rule compares). */
export interface Traffic {
  /** Bytes the socket has sent so far (handed to the kernel); only grows. */
  readonly sent: number;
  /** Bytes we owe the peer: queued, not yet sent. */
  readonly owed: number;
  /** False while we have stopped reading the peer (backpressure): we cannot hear it. */
  readonly listening: boolean;
}

/** No writes at all: the rule is then about what we hear from the peer alone. */
const QUIET: Traffic = { sent: 0, owed: 0, listening: true };

export class Liveness {
  private lastHeard: number;
  // "None" is undefined rather than NaN: NaN is a double, which V8 keeps in a heap number of
  // its own per connection; undefined costs nothing.
  /** When we pinged the current silence; undefined while none is outstanding. */
  private pingedAt: number | undefined;
  /** `traffic.sent` at the previous check. */
  private lastSent = 0;
  /** Since when we have owed bytes and the peer has taken none; undefined while we owe nothing. */
  private stuckSince: number | undefined;

  constructor(
    readonly settings: KeepaliveSettings,
    now: number,
  ) {
    this.lastHeard = now;
  }

  /** The peer sent something at `now`. */
  onActivity(now: number): void {
    this.lastHeard = now;
    this.pingedAt = undefined;
  }

  /** What the connection should do at `now`; 'ping' means a ping is now outstanding. */
  due(now: number, traffic: Traffic = QUIET): LivenessVerdict {
    const owedBefore = this.stuckSince !== undefined;
    const progress = owedBefore && traffic.sent > this.lastSent;
    this.lastSent = traffic.sent;
    if (progress) {
      // The peer is reading what we owed it: as good as hearing from it, and a ping of ours
      // still in the queue behind those bytes gets its pongTimeout from now.
      this.lastHeard = now;
      if (this.pingedAt !== undefined) this.pingedAt = now;
    }
    if (traffic.owed === 0) this.stuckSince = undefined;
    else if (progress || !owedBefore) this.stuckSince = now;
    if (this.stuckSince !== undefined && now - this.stuckSince >= this.settings.pongTimeout) {
      return 'stalled';
    }
    if (!traffic.listening) {
      // Its silence counts from when we listen again.
      this.onActivity(now);
      return undefined;
    }
    if (this.pingedAt !== undefined) {
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
