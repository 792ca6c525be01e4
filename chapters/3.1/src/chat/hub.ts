/**
 * The chat rooms: who is in which room, join/leave notices, and broadcast with backpressure.
 *
 * Knows nothing about sockets: a member is anything with `send`, `close` and `bufferedAmount`
 * (ws-core's WebSocketConnection fits), so the rules below are tested with plain objects.
 *
 * Backpressure policy — a slow reader must not stall the room or grow memory without bound:
 *  1. Before queuing a broadcast for a member, look at its `bufferedAmount` (bytes we have
 *     queued that the peer has not yet read). Above `highWaterMark`, the message is dropped
 *     for that member only; everyone else still gets it at once.
 *  2. When the member has caught up, it first receives `{type:'dropped', count}` so the page
 *     can say that it missed messages — loss is never silent.
 *  3. A member that misses `maxDropped` broadcasts in a row is not catching up: it is removed
 *     from the room (the others see a leave notice with reason "too slow") and closed with
 *     1008 (policy violation).
 * Memory per member is therefore bounded by about highWaterMark + one message, and the whole
 * chat by maxMembers times that (limits.ts bounds the members and how fast each may send).
 */
import { CloseCode } from '@course/ws-core';
import { type ThrottledLog, throttleLog } from '../log-throttle.ts';
import { AddressBuckets, TokenBucket } from './budgets.ts';
import { Headcount } from './limits.ts';
import { type ChatEvent, encodeChatEvent } from './messages.ts';
import { normalizeNickname, normalizeRoomName, uniqueNickname } from './names.ts';
import { type ChatPolicy, resolveChatPolicy } from './policy.ts';

export {
  type BackpressurePolicy,
  type ChatPolicy,
  DEFAULT_BACKPRESSURE,
  resolveChatPolicy,
} from './policy.ts';

export interface ChatPeer {
  /** Only 'open' peers are sent to: one that is closing will leave the room shortly. */
  readonly readyState: 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface Member {
  readonly nick: string;
  readonly room: string;
  readonly peer: ChatPeer;
  /** The peer's network address, when known: members are counted per address. */
  readonly from: string | undefined;
  /** Broadcasts dropped since this member last caught up. */
  dropped: number;
  /** Lines it may still send now (lineBurst, linesPerSecond in limits.ts). */
  readonly budget: TokenBucket;
  /** Set once the member has left; a member never rejoins. */
  gone: boolean;
}

export class ChatHub {
  private readonly rooms = new Map<string, Map<string, Member>>();
  private readonly policy: ChatPolicy;
  private readonly headcount: Headcount;
  private readonly joins: AddressBuckets;
  /** A client can make refusals at will (reconnecting to a full room): one line a second. */
  private readonly logRefusal: ThrottledLog;
  readonly stats = { broadcasts: 0, dropped: 0, closedSlow: 0, closedFast: 0, refused: 0 };

  constructor(
    policy: Partial<ChatPolicy> = {},
    private readonly log: (line: string) => void = () => {},
    /** Milliseconds; injectable so the line and join budgets are tested without waiting. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.policy = resolveChatPolicy(policy);
    this.headcount = new Headcount(this.policy);
    this.joins = new AddressBuckets(this.policy.joinBurst, this.policy.joinsPerSecond, now);
    this.logRefusal = throttleLog(log, 1000, now);
  }

  /**
   * Adds a peer to a room under a unique nickname, greets it and tells the room. When the room,
   * the chat or the peer's address is full, or the address joins too often, closes the peer
   * with 1013 and returns undefined.
   */
  join(
    peer: ChatPeer,
    wanted: { nick?: string | null; room?: string | null; from?: string | undefined } = {},
  ): Member | undefined {
    const room = normalizeRoomName(wanted.room);
    const members = this.rooms.get(room) ?? new Map<string, Member>();
    const { from } = wanted;
    // The headcount first: a join refused for a full room must not spend the address's budget,
    // or a student retrying a full room would later be told it joins too often.
    const refusal =
      this.headcount.refusal(members.size, from) ??
      (this.joins.take(from) ? undefined : 'joining too often from your address; try again later');
    if (refusal !== undefined) {
      this.stats.refused++;
      this.logRefusal(`refused a join to ${room}: ${refusal}`);
      peer.close(CloseCode.TRY_AGAIN_LATER, refusal);
      return undefined;
    }
    this.rooms.set(room, members);
    const nick = uniqueNickname(normalizeNickname(wanted.nick), new Set(members.keys()));
    const { lineBurst, linesPerSecond } = this.policy;
    const budget = new TokenBucket(lineBurst, linesPerSecond, this.now);
    const member: Member = { nick, room, peer, from, dropped: 0, budget, gone: false };
    peer.send(encodeChatEvent({ type: 'welcome', nick, room, members: [...members.keys()] }));
    members.set(nick, member);
    this.headcount.add(from);
    this.log(`${nick} joined ${room} (${members.size} online)`);
    this.broadcast(room, { type: 'join', nick, online: members.size }, member);
    return member;
  }

  /** Broadcasts one line of chat from `member` to everyone in its room, the sender included. */
  say(member: Member, text: string): void {
    if (member.gone) return;
    if (!member.budget.take()) {
      const { lineBurst, linesPerSecond } = this.policy;
      this.stats.closedFast++;
      this.expel(
        member,
        'too fast',
        `sending too fast: over ${lineBurst} lines at once or ${linesPerSecond} a second`,
      );
      return;
    }
    this.broadcast(member.room, { type: 'message', nick: member.nick, text });
  }

  /** Removes a member (idempotent) and tells the room why. */
  leave(member: Member, reason = 'left'): void {
    if (member.gone) return;
    member.gone = true;
    const members = this.rooms.get(member.room);
    if (!members) return;
    members.delete(member.nick);
    this.headcount.remove(member.from);
    if (members.size === 0) this.rooms.delete(member.room);
    this.log(`${member.nick} left ${member.room}: ${reason} (${members.size} online)`);
    this.broadcast(member.room, { type: 'leave', nick: member.nick, online: members.size, reason });
  }

  /** Removes a member for breaking a rule: the room hears `why`, the peer gets 1008 and `reason`. */
  private expel(member: Member, why: string, reason: string): void {
    this.leave(member, why); // first, so nothing more is queued for a closing connection
    member.peer.close(CloseCode.POLICY_VIOLATION, reason);
  }

  /** Writes the count of refusals the log has held back (when the server stops). */
  flushLog(): void {
    this.logRefusal.flush();
  }

  /** Nicknames in a room, in joining order. */
  membersOf(room: string): string[] {
    return [...(this.rooms.get(normalizeRoomName(room))?.keys() ?? [])];
  }

  private broadcast(room: string, event: ChatEvent, except?: Member): void {
    const members = this.rooms.get(room);
    if (!members) return;
    this.stats.broadcasts++;
    const text = encodeChatEvent(event); // serialise once, not once per member
    const tooSlow: Member[] = [];
    for (const member of members.values()) {
      if (member !== except && !this.deliver(member, text)) tooSlow.push(member);
    }
    // Removing members announces their leave; do it after the loop so every member sees
    // this broadcast before the notices it causes.
    for (const member of tooSlow) {
      // An earlier one's leave notice may have pushed this one over the limit and out already.
      if (member.gone) continue;
      this.stats.closedSlow++;
      this.expel(member, 'too slow', `too slow: missed ${member.dropped} messages in a row`);
    }
  }

  /** Queues `text` for one member; returns false when the member must be closed as too slow. */
  private deliver(member: Member, text: string): boolean {
    const { peer } = member;
    if (peer.readyState !== 'open') return true;
    if (peer.bufferedAmount > this.policy.highWaterMark) {
      member.dropped++;
      this.stats.dropped++;
      return member.dropped < this.policy.maxDropped;
    }
    if (member.dropped > 0) {
      peer.send(encodeChatEvent({ type: 'dropped', count: member.dropped }));
      member.dropped = 0;
    }
    peer.send(text);
    return true;
  }
}
