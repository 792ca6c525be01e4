/**
 * Fan-out: how one room's events reach its members. The hub publishes every event of a room to
 * the bus and delivers to its own members only what the bus hands back. With LocalRoomBus (below)
 * that is one process; chapter 3.4 puts a broker between many processes without touching the hub.
 */
import type { ChatEvent } from './messages.ts';

/** Hands one event of a room to the hub, which sends it to that room's members in this process. */
export type Deliver = (event: ChatEvent) => void;

export interface RoomBus {
  /**
   * Hands `room`'s events to `deliver` from now on. The hub calls it when the room's first member
   * in this process joins, and waits: once it resolves, no event published later is missed.
   */
  subscribe(room: string, deliver: Deliver): Promise<void>;
  /** This process's last member of `room` has left: stop handing its events over. */
  unsubscribe(room: string): void;
  /**
   * Sends `event` to every subscriber of `room`, this process included. Returns at once and never
   * throws: a bus that cannot send says so to the rooms it serves, as a `notice` event.
   */
  publish(room: string, event: ChatEvent): void;
  /** Stops for good (when the server stops). */
  close(): Promise<void>;
}

/** One process: publishing is calling the room's subscriber, at once and in order. */
export class LocalRoomBus implements RoomBus {
  private readonly rooms = new Map<string, Deliver>();

  subscribe(room: string, deliver: Deliver): Promise<void> {
    this.rooms.set(room, deliver);
    return Promise.resolve();
  }

  unsubscribe(room: string): void {
    this.rooms.delete(room);
  }

  publish(room: string, event: ChatEvent): void {
    this.rooms.get(room)?.(event);
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
