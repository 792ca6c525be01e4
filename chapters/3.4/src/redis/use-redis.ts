/**
 * The Redis a section talks to: the one REDIS_URL names (shared, never stopped by us), else our
 * own redis-server on a free loopback port (stopped with the section). Without either, a
 * RedisNotAvailableError that says how to get one.
 */
import {
  findOnPath,
  RedisNotAvailableError,
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from '@course/course-kit/redis';
import { RedisUrlError, SECTION_NEEDS_REDIS } from './errors.ts';

export interface RedisInUse {
  /** redis://HOST:PORT */
  readonly url: string;
  /** True when we started it (and stop() stops it); false for REDIS_URL. */
  readonly own: boolean;
  /** Our own server (to restart it, or read its pid); undefined for REDIS_URL. */
  readonly server: RedisServer | undefined;
  /** Stops our own server; does nothing to one named by REDIS_URL. */
  stop(): Promise<void>;
}

export async function useRedis(
  env: Record<string, string | undefined> = process.env,
  options: RedisServerOptions = {},
): Promise<RedisInUse> {
  const named = env.REDIS_URL?.trim();
  if (named) {
    if (!/^rediss?:\/\/[^/\s]+/.test(named)) throw new RedisUrlError(named);
    return { url: named, own: false, server: undefined, stop: async () => {} };
  }
  const binary = options.binary ?? findOnPath('redis-server', env.PATH);
  if (binary === undefined) throw new RedisNotAvailableError(SECTION_NEEDS_REDIS);
  const server = await startRedisServer({ ...options, binary });
  return { url: server.url, own: true, server, stop: () => server.stop() };
}
