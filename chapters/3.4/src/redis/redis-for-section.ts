/**
 * The Redis a section uses, said in one line; or, when there is none to be had, the notice that
 * says how to get one — the section then ends there, successfully: a missing Redis is a setup
 * step to take, not a failure of the sample.
 */
import { UsageError } from '@course/course-kit';
import { connectRedis, createRedisClient } from './client.ts';
import { RedisNotAvailableError, RedisUnreachableError } from './errors.ts';
import { type RedisInUse, useRedis } from './use-redis.ts';

export async function redisForSection(
  say: (text: string) => void,
): Promise<RedisInUse | undefined> {
  let redis: RedisInUse;
  try {
    redis = await useRedis();
  } catch (error) {
    if (!(error instanceof RedisNotAvailableError)) throw error;
    say(`skipped: ${error.message}`);
    return undefined;
  }
  if (!redis.own) await checkReachable(redis.url);
  say(
    redis.server
      ? `our own redis-server (pid ${redis.server.pid}) on ${redis.url}, stopped when this section ends`
      : `the Redis at REDIS_URL, ${redis.url} (we never stop it)`,
  );
  return redis;
}

/** A REDIS_URL that leads nowhere is a setting to fix: one line, before any worker starts. */
async function checkReachable(url: string): Promise<void> {
  try {
    const client = await connectRedis(createRedisClient(url, 3000), url, 3000);
    await client.close();
  } catch (error) {
    if (error instanceof RedisUnreachableError) throw new UsageError(`REDIS_URL: ${error.message}`);
    throw error;
  }
}
