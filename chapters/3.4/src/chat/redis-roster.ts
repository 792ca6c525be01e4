/**
 * 3.4.4 Shared state: chapter 3.1's Roster in Redis, so a nickname is unique across every worker
 * and each welcome lists the whole room.
 *
 *  - A claim is `SET chat:nick:<room>:<nick> <token> NX PX <ttl>`: of two workers that try the
 *    same name at once, exactly one gets OK. The other tries `nick#2`, as 3.1 does in one process.
 *  - The worker renews its members' claims every ttl/3 (a heartbeat well under the TTL). A worker
 *    that dies stops renewing: its members' names are free again within the TTL, with no one
 *    having to notice that it died.
 *  - Each room's members are a hash next to the claims. Every heartbeat a worker also sweeps the
 *    rooms it has members in: entries whose claim expired are removed, and `onExpired` announces
 *    each one as left — by exactly one worker, the one whose sweep removed it.
 *  - A Redis that restarts empty has forgotten every claim: the next heartbeat takes each one
 *    again. If another member took the name first, two members must not share it: the one here
 *    gives it up, and the hub closes it with 1013 and a reason that says to rejoin.
 * The trade-off is time: a dead worker's members still look present for up to a TTL (and a
 * sweep) after it died. A shorter TTL frees them sooner but costs more renewals, and renders a
 * live worker "dead" after any pause longer than the TTL (a long GC, a slow Redis).
 */
import { randomUUID } from 'node:crypto';
import { uniqueNickname } from '@course/chapter-3.1/chat/names';
import type { Roster, Seat } from '@course/chapter-3.1/chat/roster';
import { connectRedis, createRedisClient, type RedisClient } from '../redis/client.ts';
import { RedisError } from '../redis/errors.ts';
import { RELEASE, RENEW, SWEEP } from './roster-scripts.ts';

export const DEFAULT_NICKNAME_TTL_MS = 15_000;
/** Tries at a free name before giving up, when other workers keep taking the next one first. */
const CLAIM_ATTEMPTS = 5;

export interface RedisRosterOptions {
  /** How long a claim outlives its last renewal (default 15 s; renewed every third of it). */
  ttlMs?: number;
  log?: (line: string) => void;
  /** A member whose claim expired (its worker died): announce it. Called by one worker only. */
  onExpired?: (room: string, nick: string, online: number) => void;
  commandTimeoutMs?: number;
}

const claimKey = (room: string, nick: string) => `chat:nick:${room}:${nick.toLowerCase()}`;
const membersKey = (room: string) => `chat:members:${room}`;

/** One member this worker holds a claim for. */
interface Claim {
  room: string;
  nick: string;
  token: string;
  /** Its hash entry: {"nick","at"}, `at` for listing in joining order. */
  entry: string;
}

export class RedisRoster implements Roster {
  private readonly claims = new Map<string, Claim>();
  private readonly heartbeat: NodeJS.Timeout;
  /** The heartbeat in progress, if any: a beat never overlaps the last one. */
  private beating: Promise<void> | undefined;
  /** Releases sent and not answered yet: close() lets them announce their leaves first. */
  private readonly releasing = new Set<Promise<void>>();
  private failing = false;
  /** Told when a member's name went to another member (the hub closes that member). */
  private lost: (room: string, nick: string) => void = () => {};

  private constructor(
    private readonly client: RedisClient,
    private readonly ttlMs: number,
    private readonly log: (line: string) => void,
    private readonly onExpired: (room: string, nick: string, online: number) => void,
  ) {
    this.heartbeat = setInterval(
      () => {
        this.beating ??= this.beat().finally(() => {
          this.beating = undefined;
        });
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
    this.heartbeat.unref();
  }

  static async connect(url: string, options: RedisRosterOptions = {}): Promise<RedisRoster> {
    const { ttlMs = DEFAULT_NICKNAME_TTL_MS, log = () => {}, onExpired = () => {} } = options;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 30)
      throw new RangeError(
        `the nickname TTL must be a whole number of ms, at least 30, not ${ttlMs}`,
      );
    const timeout = options.commandTimeoutMs ?? 2000;
    const client = await connectRedis(createRedisClient(url, timeout), url, timeout);
    client.on('error', () => {}); // the heartbeat reports an outage, once
    return new RedisRoster(client, ttlMs, log, onExpired);
  }

  async claim(room: string, wanted: string): Promise<Seat> {
    await this.sweep(room); // the dead go first, so they neither hold a name nor count
    const tried = new Set<string>();
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const present = await this.present(room);
      const nick = uniqueNickname(wanted, new Set([...present, ...tried]));
      const token = randomUUID();
      const got = await this.client.set(claimKey(room, nick), token, {
        condition: 'NX',
        expiration: { type: 'PX', value: this.ttlMs },
      });
      if (got !== 'OK') {
        tried.add(nick); // taken between our look and our SET: the next try skips it
        continue;
      }
      const entry = JSON.stringify({ nick, at: Date.now() });
      const [, online] = await this.client
        .multi()
        .hSet(membersKey(room), nick.toLowerCase(), entry)
        .hLen(membersKey(room))
        .exec();
      this.claims.set(`${room}\n${nick}`, { room, nick, token, entry });
      return { nick, others: present, online: Number(online) };
    }
    throw new RedisError(
      `no free nickname near "${wanted}" in ${room} after ${CLAIM_ATTEMPTS} tries; try again`,
    );
  }

  release(room: string, nick: string, then: (online: number) => void): void {
    const claim = this.claims.get(`${room}\n${nick}`);
    if (!claim) return;
    this.claims.delete(`${room}\n${nick}`);
    const keys = [claimKey(room, nick), membersKey(room)];
    const released: Promise<void> = this.client
      .eval(RELEASE, { keys, arguments: [claim.token, nick.toLowerCase(), claim.entry] })
      .then(
        (reply) => {
          const [removed, online] = reply as [number, number];
          // Not ours any more: the member who holds the name now is the one present, and a
          // sweep that removed us has announced us already. Either way, nothing to announce.
          if (Number(removed) === 1) then(Number(online));
          else this.log(`${nick} in ${room} was no longer this worker's to release`);
        },
        // Not announced now; the claim, no longer renewed, expires and a sweep announces it.
        (error: Error) => this.log(`could not release ${nick} in ${room}: ${error.message}`),
      )
      .finally(() => this.releasing.delete(released));
    this.releasing.add(released);
  }

  onNicknameLost(lost: (room: string, nick: string) => void): void {
    this.lost = lost;
  }

  /**
   * Stops the heartbeat, then waits for the releases in flight (each announces its leave in
   * `then`, on a bus that must still be open) and the last beat, and closes the connection.
   */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.allSettled([...this.releasing, this.beating]);
    if (!this.client.isOpen) return;
    await this.client.close().catch(() => this.client.destroy());
  }

  /** Nicknames of the room's live members, in joining order. */
  private async present(room: string): Promise<string[]> {
    const entries = Object.values(await this.client.hGetAll(membersKey(room)));
    const members = entries.map((entry) => JSON.parse(entry) as { nick: string; at: number });
    if (members.length === 0) return [];
    const claims = await this.client.mGet(members.map((m) => claimKey(room, m.nick)));
    return members
      .filter((_, i) => claims[i] !== null)
      .sort((a, b) => a.at - b.at)
      .map((m) => m.nick);
  }

  /** Removes the room's expired members and announces each. */
  private async sweep(room: string): Promise<void> {
    const reply = (await this.client.eval(SWEEP, {
      keys: [membersKey(room)],
      arguments: [`chat:nick:${room}:`],
    })) as [string[], number];
    const [gone, online] = reply;
    for (const entry of gone) {
      const { nick } = JSON.parse(entry) as { nick: string };
      this.log(`${nick} expired from ${room}: its worker stopped renewing it`);
      this.onExpired(room, nick, Number(online));
    }
  }

  /** Renews every claim this worker holds, then sweeps the rooms it has members in. */
  private async beat(): Promise<void> {
    try {
      for (const [key, claim] of [...this.claims]) {
        // Released since this beat began: its RELEASE may have run already, and a RENEW now
        // would take the name again (a member nobody renews, announced twice when it expires).
        // A release after this check is sent after the RENEW on the same connection, so Redis
        // runs it after, and it wins.
        if (this.claims.get(key) !== claim) continue;
        const { room, nick, token, entry } = claim;
        const keys = [claimKey(room, nick), membersKey(room)];
        const args = [token, String(this.ttlMs), nick.toLowerCase(), entry];
        const kept = await this.client.eval(RENEW, { keys, arguments: args });
        if (Number(kept) === 0 && this.claims.get(key) === claim) {
          // Redis lost the claim (a restart without persistence) and another member took the
          // name before this beat could take it again. Two members must not share it: this
          // one gives it up, for good (no more renewals, so this is said once).
          this.claims.delete(key);
          this.log(`${nick} in ${room} lost its nickname to another member while Redis was away`);
          this.lost(room, nick);
        }
      }
      for (const room of new Set([...this.claims.values()].map((c) => c.room))) {
        await this.sweep(room);
      }
      if (this.failing) this.log('nickname heartbeat reaches Redis again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log(`nickname heartbeat failed: ${(error as Error).message}`);
      this.failing = true;
    }
  }
}
