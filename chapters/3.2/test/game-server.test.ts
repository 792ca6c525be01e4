import { once } from 'node:events';
import { within } from '@course/course-kit/testing/waits';
import { connect, type WebSocketConnection } from '@course/ws-core';
import { describe, expect, it } from 'vitest';
import {
  MAX_MAP_SIZE,
  MAX_MESSAGE_BYTES,
  PLACEMENTS,
  parseClientMessage,
  startGameServer,
} from '../src/game-server.ts';
import { planRoute } from '../src/pathfinding.ts';
import { demonstrateSocketHandoff } from '../src/socket-handoff.ts';

async function ask(connection: WebSocketConnection, message: unknown): Promise<unknown> {
  const reply = once(connection, 'message');
  connection.send(
    typeof message === 'string' || message instanceof Uint8Array
      ? message
      : JSON.stringify(message),
  );
  const [data] = await within(reply, 10_000, `an answer to ${JSON.stringify(message)}`);
  return JSON.parse(String(data));
}

describe('parseClientMessage', () => {
  it.each([
    ['{', 'message is not valid JSON'],
    ['[]', 'message needs an integer "id"'],
    ['{"id":1.5,"kind":"ping"}', 'message needs an integer "id"'],
    ['{"id":1,"kind":"fly"}', 'unknown kind "fly"; expected "ping" or "plan"'],
    ['{"id":1,"kind":"plan","size":10}', 'plan needs an integer "seed"'],
    [
      `{"id":1,"kind":"plan","seed":1,"size":${MAX_MAP_SIZE + 1}}`,
      `plan "size" must be an integer from 2 to ${MAX_MAP_SIZE}`,
    ],
  ])('answers %s with "%s"', (text, error) => {
    expect(parseClientMessage(text)).toBe(error);
  });

  it('accepts a well-formed plan', () => {
    expect(parseClientMessage('{"id":3,"kind":"plan","seed":7,"size":20}')).toEqual({
      id: 3,
      kind: 'plan',
      seed: 7,
      size: 20,
    });
  });
});

describe.each(PLACEMENTS)('game server with logic on the %s', (placement) => {
  it('answers pings, plans the right route and survives bad messages on one connection', async () => {
    const server = await within(
      startGameServer({ placement, workers: 2 }),
      20_000,
      `the ${placement} server to start`,
    );
    const client = await connect(server.url);
    try {
      expect(await ask(client, { id: 1, kind: 'ping' })).toEqual({ id: 1, kind: 'pong' });
      expect(await ask(client, { id: 2, kind: 'plan', seed: 5, size: 60 })).toEqual({
        id: 2,
        kind: 'route',
        steps: planRoute({ seed: 5, size: 60 }),
      });
      expect(await ask(client, 'not json')).toEqual({
        kind: 'error',
        message: 'message is not valid JSON',
      });
      expect(await ask(client, { id: 3, kind: 'ping' })).toEqual({ id: 3, kind: 'pong' });
    } finally {
      client.close();
      await within(server.close(), 15_000, `the ${placement} server and its workers to close`);
    }
  });
});

describe('moving a socket', () => {
  it('hands an accepted socket to a child process, while a worker thread refuses it', async () => {
    const report = await within(demonstrateSocketHandoff(), 20_000, 'the socket hand-off demo');
    expect(report.childPid).toBeDefined();
    expect(report.childPid).not.toBe(report.parentPid);
    expect(report.reply).toBe(`served by child pid ${report.childPid}`);
    expect(report.workerError).toBe('DataCloneError: a net.Socket could not be cloned');
  });
});

describe('game server limits', () => {
  it('closes a connection that sends a message over 1 KiB with 1009, and answers binary with an error', async () => {
    const server = await within(
      startGameServer({ placement: 'main thread', workers: 1 }),
      20_000,
      'the server to start',
    );
    try {
      const polite = await connect(server.url);
      expect(await ask(polite, new Uint8Array([1, 2, 3]))).toEqual({
        kind: 'error',
        message: 'send JSON as a text message',
      });
      polite.close();
      const greedy = await connect(server.url);
      const closed = once(greedy, 'close');
      greedy.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
      const [code] = await within(closed, 10_000, 'the server to close the greedy connection');
      expect(code).toBe(1009);
    } finally {
      await within(server.close(), 15_000, 'the server to close');
    }
  });
});
