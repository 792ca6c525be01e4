/**
 * useRedis, the chapter's choice of Redis: REDIS_URL as it is, else our own redis-server
 * (course-kit's launcher, tested there), else a notice that says how to get one.
 */
import { isRunning } from '@course/course-kit/testing/processes';
import { shouldRunRedisTests } from '@course/course-kit/testing/redis';
import { describe, expect, it } from 'vitest';
import { RedisNotAvailableError, RedisUrlError } from '../src/redis/errors.ts';
import { useRedis } from '../src/redis/use-redis.ts';

describe('useRedis without a real server', () => {
  it('takes REDIS_URL as it is, and never stops a server it did not start', async () => {
    const redis = await useRedis({ REDIS_URL: 'redis://10.1.2.3:6380' });
    expect(redis).toMatchObject({ url: 'redis://10.1.2.3:6380', own: false, server: undefined });
    await redis.stop(); // nothing to stop, nothing thrown
  });

  it('refuses a REDIS_URL that is not redis://HOST:PORT, saying what it expects', async () => {
    await expect(useRedis({ REDIS_URL: 'localhost:6379' })).rejects.toThrow(
      new RedisUrlError('localhost:6379'),
    );
  });

  it('says how to get Redis when there is no redis-server on the PATH and no REDIS_URL', async () => {
    const attempt = useRedis({ PATH: '/nonexistent' });
    await expect(attempt).rejects.toBeInstanceOf(RedisNotAvailableError);
    await expect(attempt).rejects.toThrow(/sudo apt-get install redis-server.*REDIS_URL/);
  });
});

describe.runIf(shouldRunRedisTests())('useRedis with redis-server on the PATH', () => {
  it('starts our own on a loopback port when REDIS_URL is unset, and stop() stops it', async () => {
    const redis = await useRedis({ PATH: process.env.PATH });
    const pid = redis.server?.pid;
    try {
      expect(redis.own).toBe(true);
      expect(redis.url).toBe(redis.server?.url);
      expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(pid).toBeGreaterThan(0);
    } finally {
      await redis.stop();
    }
    expect(isRunning(pid ?? 0), `redis-server ${pid} still running`).toBe(false);
  });
});
