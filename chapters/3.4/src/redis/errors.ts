/**
 * What can go wrong with Redis, each with a message that says what to do. The launcher's errors
 * come from course-kit (RedisError, the base of all of them; RedisNotAvailableError,
 * RedisStartError); the ones below belong to REDIS_URL and the chapter's clients. One base
 * class, so a section can tell "Redis is missing" (a notice, exit 0) from a real failure.
 */
import { RedisError } from '@course/course-kit/redis';

export { RedisError, RedisNotAvailableError, RedisStartError } from '@course/course-kit/redis';

/** What a section says when there is no `redis-server` on the PATH and no REDIS_URL. */
export const SECTION_NEEDS_REDIS =
  'this section needs Redis: install it (sudo apt-get install redis-server) so it can start ' +
  'its own on 127.0.0.1, or set REDIS_URL=redis://HOST:PORT to use one you run';

/** REDIS_URL is not a redis:// URL. */
export class RedisUrlError extends RedisError {
  override name = 'RedisUrlError';
  constructor(url: string) {
    super(`REDIS_URL must look like redis://HOST:PORT (or rediss://…), got "${url}"`);
  }
}

/** A Redis we should use did not answer: not started yet, wrong address, or down. */
export class RedisUnreachableError extends RedisError {
  override name = 'RedisUnreachableError';
}
