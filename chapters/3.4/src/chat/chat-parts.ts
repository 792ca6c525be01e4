/**
 * The hub's roster and bus for one worker, as its settings say: this process alone, or Redis.
 * Everything opened here is closed by `close()`, also when opening a later part fails.
 *
 * Closing is in order: the server's members have left first (the worker closes its clients
 * before it calls `close()`), then the roster, whose releases still in flight announce their
 * leaves on the bus, then the bus, which sends what was published before it closes.
 */
import { LocalRoomBus, type RoomBus } from '@course/chapter-3.1/chat/room-bus';
import { LocalRoster, type Roster } from '@course/chapter-3.1/chat/roster';
import type { WorkerConfig } from '../cluster/messages.ts';
import { RedisError } from '../redis/errors.ts';
import { RedisRoomBus } from './redis-room-bus.ts';
import { RedisRoster } from './redis-roster.ts';

/** What the room hears when a member's claim expires: its worker stopped renewing it. */
export const EXPIRED_REASON = 'connection lost';

export interface ChatParts {
  readonly roster: Roster;
  readonly bus: RoomBus;
  close(): Promise<void>;
}

export type PartsConfig = Pick<WorkerConfig, 'relay' | 'roster' | 'redisUrl' | 'nicknameTtlMs'>;

export async function connectChatParts(
  config: PartsConfig,
  log: (line: string) => void,
): Promise<ChatParts> {
  const redisUrl = () => {
    if (config.redisUrl === undefined)
      throw new RedisError(`relay ${config.relay} and roster ${config.roster} need a redisUrl`);
    return config.redisUrl;
  };
  const bus =
    config.relay === 'redis' ? await RedisRoomBus.connect(redisUrl(), { log }) : new LocalRoomBus();
  let roster: Roster;
  try {
    roster =
      config.roster === 'redis'
        ? await RedisRoster.connect(redisUrl(), {
            log,
            ...(config.nicknameTtlMs === undefined ? {} : { ttlMs: config.nicknameTtlMs }),
            onExpired: (room, nick, online) =>
              bus.publish(room, { type: 'leave', nick, online, reason: EXPIRED_REASON }),
          })
        : new LocalRoster();
  } catch (error) {
    await bus.close();
    throw error;
  }
  return {
    bus,
    roster,
    close: async () => {
      await roster.close().catch((error: Error) => log(`closing the roster: ${error.message}`));
      await bus.close();
    },
  };
}
