/**
 * 3.4/03 — Unique nicknames with SET NX PX and a heartbeat.
 *
 * In one process a Set of names keeps a nickname unique; across processes only a store they
 * share can. `SET key token NX PX ttl` takes a key only if nobody holds it, for ttl ms, in one
 * step — so two processes can never both win — and a holder that dies lets go by itself when the
 * TTL runs out. A live holder keeps its names with a heartbeat that renews each TTL, but only
 * while the key still holds its own token: a claim that expired may belong to someone else now.
 * Releasing checks the same way. Check-and-renew (or check-and-delete) must be one step too:
 * a Lua script run with EVAL does both before any other command.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.4/03)
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';

export interface NicknameOptions {
  /** How long a claim outlives its holder's last heartbeat (default 10000 ms). */
  ttlMs?: number;
  /** How often the holder renews its claims (default a third of ttlMs). */
  heartbeatMs?: number;
}

export const MAX_NICK_LENGTH = 32;
export const MAX_ROOM_LENGTH = 64;

/** Someone else holds the nickname in that room. */
export class NicknameTakenError extends Error {
  override name = 'NicknameTakenError';
  constructor(
    readonly room: string,
    readonly nick: string,
  ) {
    super(`"${nick}" is taken in room "${room}": pick another nickname`);
  }
}

/** A nickname or room that cannot be claimed at all: the message says what is wrong with it. */
export class NicknameError extends RangeError {
  override name = 'NicknameError';
}

/** C0 and C1 controls and the Unicode line and paragraph separators. */
const CONTROLS = /[\p{Cc}\u2028\u2029]/u;

function checkName(what: string, value: string, max: number): void {
  if (value.length === 0) throw new NicknameError(`${what} is empty`);
  if (value.length > max)
    throw new NicknameError(`${what} has ${value.length} characters; at most ${max} are allowed`);
  if (CONTROLS.test(value))
    throw new NicknameError(`${what} ${JSON.stringify(value)} contains a control character`);
}

/**
 * The key that holds a nickname. JSON keeps the two parts apart: with "nick:<room>:<nick>",
 * room "a:b" with nick "c" and room "a" with nick "b:c" would share a key.
 */
export function nicknameKey(room: string, nick: string): string {
  return `nick:${JSON.stringify([room, nick])}`;
}

/** Renews the TTL only while the key still holds our token: 1 if renewed, else 0. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes the key only while it still holds our token: 1 if deleted, else 0. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

const connection = (url: string) => createClient({ url });
type Client = ReturnType<typeof connection>;

export class NicknameRegistry {
  /** Our claims: key → the token we stored in it. */
  private readonly held = new Map<string, string>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  private renewing = false;

  private constructor(
    private readonly client: Client,
    private readonly ttlMs: number,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => void this.renewAll(), heartbeatMs);
    // A registry left open must not keep the process alive: its claims then simply expire.
    this.heartbeat.unref();
  }

  static async connect(url: string, options: NicknameOptions = {}): Promise<NicknameRegistry> {
    const ttlMs = options.ttlMs ?? 10_000;
    const heartbeatMs = options.heartbeatMs ?? Math.floor(ttlMs / 3);
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1)
      throw new RangeError(`ttlMs must be a whole number of ms ≥ 1, got ${ttlMs}`);
    if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 1 || heartbeatMs >= ttlMs)
      throw new RangeError(
        `heartbeatMs must be ≥ 1 and below ttlMs (${ttlMs}), got ${heartbeatMs}`,
      );
    const client = connection(url);
    // node-redis reconnects by itself; an 'error' event nobody listens to would crash the process.
    client.on('error', () => {});
    await client.connect();
    return new NicknameRegistry(client, ttlMs, heartbeatMs);
  }

  /** Takes `nick` in `room` for this process; rejects with NicknameTakenError if it is held. */
  async claim(room: string, nick: string): Promise<void> {
    checkName('room', room, MAX_ROOM_LENGTH);
    checkName('nickname', nick, MAX_NICK_LENGTH);
    if (this.closed) throw new Error('the nickname registry is closed');
    const key = nicknameKey(room, nick);
    const token = randomUUID();
    const reply = await this.client.set(key, token, {
      condition: 'NX',
      expiration: { type: 'PX', value: this.ttlMs },
    });
    if (reply !== 'OK') throw new NicknameTakenError(room, nick);
    this.held.set(key, token);
  }

  /** Whether this process still holds the claim, as far as its last heartbeat knows. */
  holds(room: string, nick: string): boolean {
    return this.held.has(nicknameKey(room, nick));
  }

  /** Gives the nickname back; true if it was still ours, false if it had expired meanwhile. */
  async release(room: string, nick: string): Promise<boolean> {
    const key = nicknameKey(room, nick);
    const token = this.held.get(key);
    if (token === undefined) return false;
    this.held.delete(key);
    const deleted = await this.client.eval(RELEASE, { keys: [key], arguments: [token] });
    return deleted === 1;
  }

  /** Stops the heartbeat, releases every claim and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    const keys = [...this.held.keys()];
    if (this.client.isReady) {
      await Promise.allSettled(
        keys.map((key) =>
          this.client.eval(RELEASE, { keys: [key], arguments: [this.held.get(key) ?? ''] }),
        ),
      );
      this.held.clear();
      await this.client.close();
    } else {
      // Redis is out of reach: the claims expire by themselves within their TTL.
      this.held.clear();
      if (this.client.isOpen) this.client.destroy();
    }
  }

  private async renewAll(): Promise<void> {
    // One round at a time: while Redis is away, beats must not pile up renewals in the queue.
    if (this.renewing) return;
    this.renewing = true;
    try {
      await Promise.all(
        [...this.held].map(async ([key, token]) => {
          const renewed = await this.client.eval(RENEW, {
            keys: [key],
            arguments: [token, String(this.ttlMs)],
          });
          // It expired and is gone, or someone else holds it now: it is not ours any more.
          if (renewed !== 1 && this.held.get(key) === token) this.held.delete(key);
        }),
      );
    } catch {
      // Redis out of reach: try again at the next beat; until the TTL runs out, nobody else can
      // take the names, and after that the first successful beat finds out.
    } finally {
      this.renewing = false;
    }
  }
}
