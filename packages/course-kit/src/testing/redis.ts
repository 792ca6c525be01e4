/**
 * Test-only: whether the tests that need a real redis-server run, and a redis-server of the
 * test's own, started by the launcher in ../redis for a test runner. Locally a missing
 * redis-server skips those tests with a message; in CI (CI set) it is a failure, because .ci/run
 * and the Classroom workflow install it.
 *
 *   const redis = await startTestRedis();   // redis.url is redis://127.0.0.1:PORT
 *   await redis.stop();                     // then isRunning(pid) is false
 */
import { findOnPath } from '../redis/find-on-path.ts';
import { type RedisServer, startRedisServer } from '../redis/redis-server.ts';

/** True when the Redis tests should run (and then fail loudly if redis-server is missing). */
export function shouldRunRedisTests(): boolean {
  if (findOnPath('redis-server') !== undefined || process.env.CI) return true;
  console.warn(
    'redis test skipped: no redis-server on the PATH (sudo apt-get install redis-server)',
  );
  return false;
}

/**
 * Starts a redis-server in the test runner's process group: vitest's worker threads end without
 * their 'exit' hooks, so a Ctrl-C in the terminal must reach the server itself.
 */
export function startTestRedis(): Promise<RedisServer> {
  return startRedisServer({ detached: false });
}
