/**
 * The launcher against a real redis-server: it starts on a free loopback port keeping nothing,
 * answers PING, restarts empty on the same port, and leaves no process and no folder behind —
 * after stop(), and after Ctrl-C of a program that started it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisNotAvailableError, RedisStartError, RedisUrlError } from '../src/redis/errors.ts';
import { pingOnce } from '../src/redis/ping.ts';
import { type RedisServer, startRedisServer } from '../src/redis/redis-server.ts';
import { useRedis } from '../src/redis/use-redis.ts';
import { shouldRunRedisTests } from './redis-available.ts';

const HOLDER = new URL('./fixtures/redis-holder.child.ts', import.meta.url).pathname;

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

  it('reports a server that exits at once with its exit code', async () => {
    const attempt = startRedisServer({ binary: '/bin/false' });
    await expect(attempt).rejects.toBeInstanceOf(RedisStartError);
    await expect(attempt).rejects.toThrow(/exited \(1\) before answering PING/);
  });
});

describe.runIf(shouldRunRedisTests())('our own redis-server', () => {
  let redis: RedisServer | undefined;

  afterEach(async () => {
    const pid = redis?.pid;
    await redis?.stop();
    if (pid !== undefined) expect(isRunning(pid), `redis-server ${pid} still running`).toBe(false);
    redis = undefined;
  });

  it('starts on a free loopback port, keeps nothing, answers PING, and once stopped leaves no process, port or folder', async () => {
    redis = await startRedisServer();
    const { pid, port, dir } = redis;
    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(pid).toBeGreaterThan(0);
    expect(existsSync(dir)).toBe(true);
    expect(await pingOnce('127.0.0.1', port, 2000)).toBe(true);
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    expect(await client.configGet(['save', 'appendonly', 'dir'])).toEqual({
      save: '',
      appendonly: 'no',
      dir,
    });
    client.destroy();

    await redis.stop();
    expect(redis.pid).toBeUndefined();
    expect(isRunning(pid ?? 0)).toBe(false);
    expect(await pingOnce('127.0.0.1', port, 2000)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await redis.stop(); // idempotent
  });

  it('restarts on the same port as a new, empty server', async () => {
    redis = await startRedisServer();
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    await client.set('kept?', 'no');
    const before = redis.pid;
    await redis.restart();
    expect(redis.pid).not.toBe(before);
    expect(isRunning(before ?? 0)).toBe(false);
    // node-redis reconnects by itself; the new server knows nothing of the old one's keys.
    expect(await within(client.get('kept?'), 10_000, 'a GET after the restart')).toBeNull();
    client.destroy();
  });

  it.each([
    ['its own exit on Ctrl-C, when it is the only one listening', []],
    ['the exit hook, when the program handles Ctrl-C itself and exits', ['--own-handler']],
  ])('stops a redis-server started by a child process that gets Ctrl-C: %s', async (_how, args) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const line = await until(
        () => out.split('\n')[0]?.endsWith('}') && out,
        20_000,
        'the child to report its Redis',
      );
      const started = JSON.parse(line) as { pid: number; dir: string; port: number };
      expect(isRunning(started.pid)).toBe(true);
      child.kill('SIGINT');
      await within(exited, 15_000, 'the child to exit after SIGINT');
      await until(() => !isRunning(started.pid), 5000, `redis-server ${started.pid} to be gone`);
      expect(existsSync(started.dir)).toBe(false);
      expect(await pingOnce('127.0.0.1', started.port, 2000)).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
