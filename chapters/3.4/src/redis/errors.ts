/**
 * What can go wrong with Redis, each with a message that says what to do. One base class, so a
 * section can tell "Redis is missing" (a notice, exit 0) from a real failure.
 */

export class RedisError extends Error {
  override name = 'RedisError';
}

/** No `redis-server` on the PATH and no REDIS_URL: the sections that need Redis say so and stop. */
export class RedisNotAvailableError extends RedisError {
  override name = 'RedisNotAvailableError';
  constructor() {
    super(
      'this section needs Redis: install it (sudo apt-get install redis-server) so it can start ' +
        'its own on 127.0.0.1, or set REDIS_URL=redis://HOST:PORT to use one you run',
    );
  }
}

/** `redis-server` ran but never answered PING, or exited first (its last output says why). */
export class RedisStartError extends RedisError {
  override name = 'RedisStartError';
}

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
