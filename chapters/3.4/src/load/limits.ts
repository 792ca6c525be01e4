/** The chat limits a load run needs from chapter 3.1's server. */
import type { ChatLimits } from '@course/chapter-3.1/chat/limits';

/**
 * 3.1's limits, raised for a load generator: all its members come from 127.0.0.1 and each
 * sender sends far more than a person types, so we measure the servers, not their rules. Twice
 * the room per address, as the last run's members may still be leaving when the next joins.
 */
export function limitsForLoad(members: number, joins: number): Partial<ChatLimits> {
  return {
    maxRoomMembers: members,
    maxMembersPerAddress: 2 * members,
    joinBurst: joins,
    lineBurst: 1e6,
    linesPerSecond: 1e6,
  };
}
