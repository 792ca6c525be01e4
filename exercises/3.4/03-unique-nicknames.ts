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
// createClient from 'redis' opens a connection; randomUUID from 'node:crypto' makes a token:
//   import { randomUUID } from 'node:crypto';
//   import { createClient } from 'redis';

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

/** The key that holds a nickname: different (room, nick) pairs must get different keys. */
export function nicknameKey(room: string, nick: string): string {
  // TODO: careful with separators: "nick:<room>:<nick>" gives room "a:b" with nick "c" and
  //   room "a" with nick "b:c" the same key. Find an encoding that keeps every pair apart.
  throw new Error(`TODO: the key for ${nick} in ${room}`);
}

export class NicknameRegistry {
  static async connect(url: string, options: NicknameOptions = {}): Promise<NicknameRegistry> {
    // TODO 1: connect a client (with an 'error' listener); ttlMs defaults to 10000, heartbeatMs
    //   to a third of it. Start the heartbeat: every heartbeatMs, renew each claim you hold —
    //   PEXPIRE only if GET still returns your token, in one EVAL — and forget the ones whose
    //   renewal found another value (or none). unref() the timer.
    throw new Error(`TODO: connect to ${url} (options ${JSON.stringify(options)})`);
  }

  /** Takes `nick` in `room` for this process; rejects with NicknameTakenError if it is held. */
  claim(room: string, nick: string): Promise<void> {
    // TODO 2: refuse an empty name, one longer than MAX_NICK_LENGTH (rooms: MAX_ROOM_LENGTH) or
    //   one with a control character, with a NicknameError, before touching Redis. Then
    //   SET key token NX PX ttlMs with a fresh random token: 'OK' means it is yours (remember
    //   key → token), null means someone holds it (NicknameTakenError).
    return Promise.reject(new Error(`TODO: claim ${nick} in ${room}`));
  }

  /** Whether this process still holds the claim, as far as its last heartbeat knows. */
  holds(room: string, nick: string): boolean {
    // TODO 3: is the key among the claims you hold?
    throw new Error(`TODO: do we hold ${nick} in ${room}?`);
  }

  /** Gives the nickname back; true if it was still ours, false if it had expired meanwhile. */
  release(room: string, nick: string): Promise<boolean> {
    // TODO 4: forget the claim, then DEL the key only if it still holds your token (one EVAL);
    //   resolve with whether it was deleted.
    return Promise.reject(new Error(`TODO: release ${nick} in ${room}`));
  }

  /** Stops the heartbeat, releases every claim and closes the connection. */
  close(): Promise<void> {
    // TODO 5: clear the heartbeat timer, release what you hold, close the client (destroy() it
    //   if it is not ready: a Redis out of reach never answers).
    return Promise.reject(new Error('TODO: close the registry'));
  }
}
