/**
 * Test-only: whether the tests that need a real redis-server run. Locally they are skipped with a
 * message when it is missing; in CI (CI set) a missing redis-server is a failure, since .ci/run
 * installs it.
 */
import { findOnPath } from '../src/redis/find-on-path.ts';

export function shouldRunRedisTests(): boolean {
  if (findOnPath('redis-server') !== undefined || process.env.CI) return true;
  console.warn(
    'redis test skipped: no redis-server on the PATH (sudo apt-get install redis-server)',
  );
  return false;
}
