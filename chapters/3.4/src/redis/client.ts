/**
 * node-redis clients set up for a chat server: no unbounded waits, no unbounded memory.
 *  - `disableOfflineQueue`: while Redis is away a command fails at once. The default queues it
 *    until Redis is back, so an outage would hold every line sent meanwhile in memory.
 *  - A command timeout, also for a command already sent (`rejectInFlight`): a Redis that stops
 *    answering costs a chat line at most that long. (Only PUBLISH, SET NX and small scripts go
 *    through these clients: a command that timed out is safe to lose or to repeat.)
 *  - Reconnecting with a growing delay, at most 2 s apart, for ever: an outage ends when Redis
 *    is back, not when we give up.
 */
import { createClient, type RedisClientType } from 'redis';
import { RedisUnreachableError } from './errors.ts';

export type RedisClient = RedisClientType;

export function createRedisClient(url: string, commandTimeoutMs: number): RedisClient {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeoutMs, rejectInFlight: true },
    socket: {
      connectTimeout: commandTimeoutMs,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000),
    },
  }) as RedisClient;
}

/**
 * Connects `client`, or rejects after `ms` with the last error it met (then the client is
 * destroyed, so it stops retrying). The client keeps an 'error' listener: node-redis emits one
 * per failed reconnect, and an 'error' nobody listens to would end the process.
 */
export async function connectRedis(
  client: RedisClient,
  url: string,
  ms: number,
): Promise<RedisClient> {
  let last = 'no answer';
  client.on('error', (error: Error) => {
    last = error.message;
  });
  try {
    await withTimeout(client.connect(), ms);
    return client;
  } catch {
    client.destroy();
    throw new RedisUnreachableError(
      `could not reach Redis at ${url} within ${ms} ms (${last}); is it running? see REDIS_URL`,
    );
  }
}

/** `promise`, or a rejection after `ms`; a late rejection of `promise` is then ignored. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
