/**
 * What the primary and its chat workers say to each other. The worker's settings travel in its
 * environment (CHAT_WORKER_CONFIG, JSON), the rest over the cluster's IPC channel.
 */
import type { ChatLimits } from '@course/chapter-3.1/chat/limits';

export const CONFIG_ENV = 'CHAT_WORKER_CONFIG';

/** Where a room's events and its nicknames live: this worker alone, or Redis. */
export type Sharing = 'local' | 'redis';

export interface WorkerConfig {
  host: string;
  port: number;
  /** The room bus (fan-out): 'local' splits each room by worker (3.4.2), 'redis' joins it (3.4.3). */
  relay: Sharing;
  /** Nicknames and member lists: per worker, or in Redis (3.4.4). */
  roster: Sharing;
  /** Needed when either is 'redis'. */
  redisUrl?: string;
  /** How long a nickname outlives a worker that stopped renewing it (3.4.4). */
  nicknameTtlMs?: number;
  chatLimits?: Partial<ChatLimits>;
}

export type FromWorker =
  | { type: 'listening'; url: string }
  | { type: 'log'; line: string }
  /** It could not start: the message says why; `code` is Node's (EADDRINUSE…), if any. */
  | { type: 'failed'; message: string; code?: string };

export type ToWorker = { type: 'stop' };
