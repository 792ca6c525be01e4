/**
 * Presence: which nicknames are taken in which room, and how many members a room has. The hub
 * asks the roster, never its own map, so that chapter 3.4 can keep the roster in Redis and make
 * a nickname unique across every process that serves the chat.
 */
import { uniqueNickname } from './names.ts';

/** A nickname taken in a room. */
export interface Seat {
  /** `wanted`, or `wanted#2`, `wanted#3`… when it was taken. */
  nick: string;
  /** Who was already in the room, in joining order. */
  others: string[];
  /** Members of the room, this one included. */
  online: number;
}

export interface Roster {
  /** Takes a free nickname close to `wanted` in `room`. Rejects when the roster is unreachable. */
  claim(room: string, wanted: string): Promise<Seat>;
  /**
   * Gives the nickname back. `then` gets the room's headcount without it: at once for a local
   * roster, after a round trip for a shared one. A leave is announced in `then`, so a member
   * expelled during a broadcast is announced in order with it (the hub relies on that locally).
   */
  release(room: string, nick: string, then: (online: number) => void): void;
  /**
   * Optional, for a roster that can lose a name it gave: `lost` is told when a member's nickname
   * is no longer its own (chapter 3.4: Redis lost its data and another member took the name
   * first). The hub then closes that member. A local roster never loses one.
   */
  onNicknameLost?(lost: (room: string, nick: string) => void): void;
  /** Stops for good (when the server stops). */
  close(): Promise<void>;
}

/** One process: a set of nicknames per room, in joining order. */
export class LocalRoster implements Roster {
  private readonly rooms = new Map<string, Set<string>>();

  claim(room: string, wanted: string): Promise<Seat> {
    const names = this.rooms.get(room) ?? new Set<string>();
    const nick = uniqueNickname(wanted, names);
    const others = [...names];
    names.add(nick);
    this.rooms.set(room, names);
    return Promise.resolve({ nick, others, online: names.size });
  }

  release(room: string, nick: string, then: (online: number) => void): void {
    const names = this.rooms.get(room);
    if (!names?.delete(nick)) return;
    if (names.size === 0) this.rooms.delete(room);
    then(names.size);
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
