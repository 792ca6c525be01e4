/**
 * The Redis a section uses, said in one line; or, when there is none to be had, the notice that
 * says how to get one — the section then ends there, successfully: a missing Redis is a setup
 * step to take, not a failure of the sample.
 */
import { RedisNotAvailableError } from './errors.ts';
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
  say(
    redis.server
      ? `our own redis-server (pid ${redis.server.pid}) on ${redis.url}, stopped when this section ends`
      : `the Redis at REDIS_URL, ${redis.url} (we never stop it)`,
  );
  return redis;
}
