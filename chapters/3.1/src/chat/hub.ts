/**
 * The chat rooms: admission (limits, budgets), membership of this process's members, and the
 * delivery of each room's events to them with backpressure.
 *
 * Two seams, each an interface with a local default, let many processes serve one chat
 * (chapter 3.4) without changing this file:
 *  - the Roster (roster.ts) says which nicknames are taken and how many members a room has;
 *  - the RoomBus (room-bus.ts) carries a room's events. The hub publishes every join, line and
 *    leave to the bus and delivers to its members only what the bus hands back, so every member,
 *    in this process or another, sees a room's events in the same order.
 *
 * Knows nothing about sockets: a member is anything with `send`, `close` and `bufferedAmount`
 * (ws-core's WebSocketConnection fits), so the rules below are tested with plain objects.
 *
 * Backpressure policy — a slow reader must not stall the room or grow memory without bound:
 *  1. Before queuing an event for a member, look at its `bufferedAmount` (bytes we have
 *     queued that the peer has not yet read). Above `highWaterMark`, the event is dropped
 *     for that member only; everyone else still gets it at once.
 *  2. When the member has caught up, it first receives `{type:'dropped', count}` so the page
 *     can say that it missed messages — loss is never silent.
 *  3. A member that misses `maxDropped` events in a row is not catching up: it is removed
 *     from the room (the others see a leave notice with reason "too slow") and closed with
 *     1008 (policy violation).
 * Memory per member is therefore bounded by about highWaterMark + one message, and the whole
 * chat by maxMembers times that (limits.ts bounds the members and how fast each may send).
 */
import { CloseCode } from '@course/ws-core';
import { type ThrottledLog, throttleLog } from '../log-throttle.ts';
import { AddressBuckets, TokenBucket } from './budgets.ts';
import { Headcount, roomFullReason } from './limits.ts';
import { type ChatEvent, encodeChatEvent } from './messages.ts';
import { normalizeNickname, normalizeRoomName } from './names.ts';
import { type ChatPolicy, resolveChatPolicy } from './policy.ts';
import { LocalRoomBus, type RoomBus } from './room-bus.ts';
import { LocalRoster, type Roster, type Seat } from './roster.ts';

export {
  type BackpressurePolicy,
  type ChatPolicy,
  DEFAULT_BACKPRESSURE,
  resolveChatPolicy,
} from './policy.ts';
export { type Deliver, LocalRoomBus, type RoomBus } from './room-bus.ts';
export { LocalRoster, type Roster, type Seat } from './roster.ts';

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

/** Where a hub's rooms live beyond this process; every part defaults to this process alone. */
export interface ChatHubParts {
  roster?: Roster;
  bus?: RoomBus;
  /** Named in each welcome (`server`), when several processes serve the chat. */
  server?: string;
}

/** This process's side of one room. */
interface LocalRoom {
  readonly members: Map<string, Member>;
  /** Admitted, waiting for the bus and the roster: they hold a place in the room already. */
  joining: number;
  /** Settles once the bus hands this room's events to the hub. */
  readonly subscribed: Promise<void>;
}

/** The close reason when the roster or the bus cannot take a member (3.4: Redis is down). */
const UNAVAILABLE = 'the chat cannot take new members right now; try again later';
/** The close reason when the roster gave a member's nickname to another member (3.4). */
export const NICKNAME_TAKEN = 'your nickname was taken while the chat relay was away; rejoin';

export class ChatHub {
  private readonly rooms = new Map<string, LocalRoom>();
  readonly policy: ChatPolicy;
  private readonly headcount: Headcount;
  private readonly joins: AddressBuckets;
  /** A client can make refusals at will (reconnecting to a full room): one line a second. */
  private readonly logRefusal: ThrottledLog;
  private readonly roster: Roster;
  private readonly bus: RoomBus;
  private readonly server: string | undefined;
  readonly stats = { broadcasts: 0, dropped: 0, closedSlow: 0, closedFast: 0, refused: 0 };

  constructor(
    policy: Partial<ChatPolicy> = {},
    private readonly log: (line: string) => void = () => {},
    /** Milliseconds; injectable so the line and join budgets are tested without waiting. */
    private readonly now: () => number = () => performance.now(),
    parts: ChatHubParts = {},
  ) {
    this.policy = resolveChatPolicy(policy);
    this.headcount = new Headcount(this.policy);
    this.joins = new AddressBuckets(this.policy.joinBurst, this.policy.joinsPerSecond, now);
    this.logRefusal = throttleLog(log, 1000, now);
    this.roster = parts.roster ?? new LocalRoster();
    this.bus = parts.bus ?? new LocalRoomBus();
    this.server = parts.server;
    this.roster.onNicknameLost?.((room, nick) => this.dropLost(room, nick));
  }

  /**
   * Adds a peer to a room under a unique nickname, greets it and tells the room. When the room,
   * the chat or the peer's address is full, or the address joins too often, closes the peer
   * with 1013 at once (before any await) and resolves to undefined; also when the roster or the
   * bus fails, or when the peer closed while they answered.
   */
  async join(
    peer: ChatPeer,
    wanted: {
      nick?: string | null;
      room?: string | null;
      from?: string | undefined;
      /** Its line budget, when lines sent before the welcome were charged to it already. */
      budget?: TokenBucket;
    } = {},
  ): Promise<Member | undefined> {
    const room = normalizeRoomName(wanted.room);
    const { from } = wanted;
    const here = this.rooms.get(room);
    // The headcount first: a join refused for a full room must not spend the address's budget,
    // or a student retrying a full room would later be told it joins too often.
    const refusal =
      this.headcount.refusal(here ? here.members.size + here.joining : 0, from) ??
      (this.joins.take(from) ? undefined : 'joining too often from your address; try again later');
    if (refusal !== undefined) {
      this.stats.refused++;
      this.logRefusal(`refused a join to ${room}: ${refusal}`);
      peer.close(CloseCode.TRY_AGAIN_LATER, refusal);
      return undefined;
    }
    // Holding the place before waiting keeps two joins in flight from both taking the last one.
    const local = here ?? this.openRoom(room);
    local.joining++;
    this.headcount.add(from);
    let seat: Seat | undefined;
    try {
      await local.subscribed; // first, so no event published after the welcome is missed
      seat = await this.roster.claim(room, normalizeNickname(wanted.nick));
    } catch (error) {
      // A client can make these at will (reconnecting during an outage): throttled like refusals.
      this.stats.refused++;
      this.logRefusal(`could not seat a member in ${room}: ${(error as Error).message}`);
    }
    local.joining--;
    // The roster counts the whole room, other processes' members too (chapter 3.4's is in
    // Redis): this is where the room limit holds for the room, not only for this process.
    const full = seat !== undefined && seat.online > this.policy.maxRoomMembers;
    if (seat === undefined || full || peer.readyState !== 'open') {
      this.headcount.remove(from);
      // Nobody was told it came, so nobody is told it went.
      if (seat !== undefined) this.roster.release(room, seat.nick, () => {});
      if (seat === undefined) peer.close(CloseCode.TRY_AGAIN_LATER, UNAVAILABLE);
      else if (full && peer.readyState === 'open') {
        const reason = roomFullReason(this.policy.maxRoomMembers);
        this.stats.refused++;
        this.logRefusal(`refused a join to ${room}: ${reason}`);
        peer.close(CloseCode.TRY_AGAIN_LATER, reason);
      }
      this.closeRoomIfEmpty(room);
      return undefined;
    }
    const { nick, others, online } = seat;
    const budget = wanted.budget ?? this.lineBudget();
    const member: Member = { nick, room, peer, from, dropped: 0, budget, gone: false };
    const server = this.server === undefined ? {} : { server: this.server };
    peer.send(encodeChatEvent({ type: 'welcome', nick, room, members: others, ...server }));
    local.members.set(nick, member);
    this.log(`${nick} joined ${room} (${online} online)`);
    this.bus.publish(room, { type: 'join', nick, online });
    return member;
  }

  /**
   * A new line budget (lineBurst, then linesPerSecond). A server that receives lines before the
   * welcome charges them to it as they arrive and hands it to `join`, so they count by when they
   * were sent, not all at once when the welcome comes.
   */
  lineBudget(): TokenBucket {
    return new TokenBucket(this.policy.lineBurst, this.policy.linesPerSecond, this.now);
  }

  /**
   * Sends one line of chat from `member` to everyone in its room, the sender included.
   * `charged`: the line was taken from `member.budget` already, when it arrived.
   */
  say(member: Member, text: string, { charged = false } = {}): void {
    if (member.gone) return;
    if (!charged && !member.budget.take()) {
      this.stats.closedFast++;
      this.expel(member, 'too fast', this.tooFastReason());
      return;
    }
    this.bus.publish(member.room, { type: 'message', nick: member.nick, text });
  }

  /**
   * A peer still waiting for its welcome went over its line budget: closed with 1008, like a
   * member, but nobody is told, since nobody heard it come.
   */
  closeTooFast(peer: ChatPeer): void {
    this.stats.closedFast++;
    peer.close(CloseCode.POLICY_VIOLATION, this.tooFastReason());
  }

  private tooFastReason(): string {
    const { lineBurst, linesPerSecond } = this.policy;
    return `sending too fast: over ${lineBurst} lines at once or ${linesPerSecond} a second`;
  }

  /** Removes a member (idempotent) and tells the room why. */
  leave(member: Member, reason = 'left'): void {
    if (member.gone) return;
    member.gone = true;
    const { room, nick } = member;
    this.rooms.get(room)?.members.delete(nick);
    this.headcount.remove(member.from);
    this.closeRoomIfEmpty(room);
    this.roster.release(room, nick, (online) => {
      this.log(`${nick} left ${room}: ${reason} (${online} online)`);
      this.bus.publish(room, { type: 'leave', nick, online, reason });
    });
  }

  /**
   * The roster gave `nick` to another member. The name is theirs now, so this one is closed
   * with 1013 without a leave: the room would read it as the other member leaving. Its client
   * can join again, under a free name.
   */
  private dropLost(room: string, nick: string): void {
    const member = this.rooms.get(room)?.members.get(nick);
    if (!member || member.gone) return;
    member.gone = true;
    this.rooms.get(room)?.members.delete(nick);
    this.headcount.remove(member.from);
    this.closeRoomIfEmpty(room);
    this.log(`${nick} closed in ${room}: its nickname is another member's now`);
    member.peer.close(CloseCode.TRY_AGAIN_LATER, NICKNAME_TAKEN);
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

  /** Nicknames of this process's members in a room, in joining order. */
  membersOf(room: string): string[] {
    return [...(this.rooms.get(normalizeRoomName(room))?.members.keys() ?? [])];
  }

  private openRoom(room: string): LocalRoom {
    const subscribed = this.bus.subscribe(room, (event) => this.deliver(room, event));
    subscribed.catch(() => {}); // each join waiting on it handles the failure
    const local: LocalRoom = { members: new Map(), joining: 0, subscribed };
    this.rooms.set(room, local);
    return local;
  }

  private closeRoomIfEmpty(room: string): void {
    const local = this.rooms.get(room);
    if (!local || local.members.size > 0 || local.joining > 0) return;
    this.rooms.delete(room);
    this.bus.unsubscribe(room);
  }

  /** Fan-out, the receiving end: one event of `room`, from the bus, to this process's members. */
  private deliver(room: string, event: ChatEvent): void {
    const members = this.rooms.get(room)?.members;
    if (!members) return;
    this.stats.broadcasts++;
    const text = encodeChatEvent(event); // serialise once, not once per member
    const tooSlow: Member[] = [];
    for (const member of members.values()) {
      // A newcomer had its welcome; its own join is for the others.
      if (event.type === 'join' && event.nick === member.nick) continue;
      if (!this.send(member, text)) tooSlow.push(member);
    }
    // Removing members announces their leave; do it after the loop so every member sees
    // this event before the notices it causes.
    for (const member of tooSlow) {
      // An earlier one's leave notice may have pushed this one over the limit and out already.
      if (member.gone) continue;
      this.stats.closedSlow++;
      this.expel(member, 'too slow', `too slow: missed ${member.dropped} messages in a row`);
    }
  }

  /** Queues `text` for one member; returns false when the member must be closed as too slow. */
  private send(member: Member, text: string): boolean {
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
