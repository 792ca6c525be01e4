/**
 * How much work one chat client may cause: members per room, per address and in all, lines
 * per second per member and joins per second per address (the rates are budgets.ts's buckets).
 *
 * Backpressure (hub.ts) bounds what is *queued* per member, but not what one client makes the
 * server *do*. A broadcast is one send per member, so without these limits one client's input
 * is multiplied by the room size:
 *  - one 64 KiB read holds ~9,000 one-byte lines; sent to 200 members that is 1.8 million
 *    sends before the next read, all inside one event-loop turn, so a few such reads stall
 *    every other client for seconds and allocate hundreds of MB of frames;
 *  - each join is announced to everyone and each welcome lists everyone, so N joins to one room
 *    cost about N² / 2 sends (2,000 joins: some 2 million sends, 92 MB).
 */
import { KeyCounter } from '@course/course-kit';

export interface ChatLimits {
  /** A join to a room this full is refused with 1013 (try again later). */
  maxRoomMembers: number;
  /** A join when the whole chat has this many members is refused with 1013. */
  maxMembers: number;
  /**
   * Members from one address, in all rooms together (so also the rooms one client can open).
   * Without it one client could fill every room, or the whole chat, with idle connections.
   */
  maxMembersPerAddress: number;
  /** Lines a member may send at once… */
  lineBurst: number;
  /** …and then per second. A member over its budget is closed with 1008. */
  linesPerSecond: number;
  /** Joins one address may make at once… */
  joinBurst: number;
  /**
   * …and then per second; more are refused with 1013. Each join and leave is announced to the
   * whole room, so reconnecting again and again would otherwise flood every member.
   */
  joinsPerSecond: number;
}

/**
 * A classroom's sizes: far above what people type, far below what a script can send.
 * (Per address is weak against IPv6, where one client may own many addresses.)
 */
export const DEFAULT_CHAT_LIMITS: ChatLimits = {
  maxRoomMembers: 200,
  maxMembers: 2000,
  maxMembersPerAddress: 20,
  lineBurst: 20,
  linesPerSecond: 5,
  joinBurst: 20,
  joinsPerSecond: 1,
};

/** The close reason for a join to a full room (no room name: a close reason fits in 123 bytes). */
export const roomFullReason = (maxRoomMembers: number) =>
  `this room is full (${maxRoomMembers} members); try again later`;

/** Counts members, in all and per address, and says why one more must wait. */
export class Headcount {
  private total = 0;
  private readonly perAddress = new KeyCounter();

  constructor(private readonly limits: ChatLimits) {}

  /** Why a member from `address` may not join a room of `roomSize` now; undefined if it may. */
  refusal(roomSize: number, address: string | undefined): string | undefined {
    const { maxMembers, maxRoomMembers, maxMembersPerAddress } = this.limits;
    // No room name or address in these reasons: a close reason must fit in 123 bytes.
    if (this.perAddress.count(address) >= maxMembersPerAddress)
      return `too many members from your address (${maxMembersPerAddress}); try again later`;
    if (this.total >= maxMembers)
      return `the chat is full (${maxMembers} members); try again later`;
    if (roomSize >= maxRoomMembers) return roomFullReason(maxRoomMembers);
    return undefined;
  }

  add(address: string | undefined): void {
    this.total++;
    this.perAddress.add(address);
  }

  remove(address: string | undefined): void {
    this.total--;
    this.perAddress.remove(address);
  }
}
