import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning } from '../src/testing/processes.ts';
import {
  findRedisServer,
  shouldRunRedisTests,
  startTestRedis,
  type TestRedis,
} from '../src/testing/redis.ts';
import { within } from '../src/testing/waits.ts';

/** What a plain socket gets back for an inline PING: "+PONG", or "refused". */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', () => resolve('refused'));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => {
      resolve(chunk.toString('latin1').trim());
      socket.destroy();
    });
  });
}

describe('findRedisServer', () => {
  it('finds nothing on a PATH without redis-server', () => {
    expect(findRedisServer('/nonexistent:/also-not-here')).toBeUndefined();
  });
});

describe.runIf(shouldRunRedisTests())('startTestRedis', () => {
  const started: TestRedis[] = [];
  afterEach(async () => {
    for (const redis of started.splice(0)) await redis.stop();
  });

  it('starts servers on separate loopback ports that answer PING, and stop() ends each one', async () => {
    const [a, b] = await Promise.all([startTestRedis(), startTestRedis()]);
    if (!a || !b) throw new Error('two servers expected');
    started.push(a, b);
    expect(a.url).toBe(`redis://127.0.0.1:${a.port}`);
    expect(a.port).not.toBe(b.port);
    expect(await within(ping(a.port), 5000, 'a PONG from a')).toBe('+PONG');
    expect(await within(ping(b.port), 5000, 'a PONG from b')).toBe('+PONG');

    await a.stop();
    expect(isRunning(a.pid), `redis-server ${a.pid} still running`).toBe(false);
    expect(await within(ping(a.port), 5000, 'a refused connection')).toBe('refused');
    expect(isRunning(b.pid), 'the other server is left alone').toBe(true);
    await a.stop(); // idempotent
  });
});
