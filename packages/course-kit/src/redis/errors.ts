/**
 * What can go wrong starting our own redis-server, each with a message that says what to do.
 * One base class, so a caller can tell "Redis is missing" (chapter 3.4's sections print a
 * notice and exit 0) from a real failure; chapter 3.4 adds its own errors under it.
 */

export class RedisError extends Error {
  override name = 'RedisError';
}

/** No `redis-server` on the PATH. A caller with more ways to get Redis says so in `message`. */
export class RedisNotAvailableError extends RedisError {
  override name = 'RedisNotAvailableError';
  constructor(
    message = 'no redis-server on the PATH: install it (sudo apt-get install redis-server)',
  ) {
    super(message);
  }
}

/** `redis-server` ran but never answered PING, or exited first (its last output says why). */
export class RedisStartError extends RedisError {
  override name = 'RedisStartError';
}
