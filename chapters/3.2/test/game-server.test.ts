import { once } from 'node:events';
import { within } from '@course/course-kit/testing/waits';
import { connect, type WebSocketConnection } from '@course/ws-core';
import { describe, expect, it } from 'vitest';
import {
  MAX_MAP_SIZE,
  MAX_MESSAGE_BYTES,
  PLACEMENTS,
  type PlanLimits,
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

/** The next `count` messages a connection receives, parsed. */
async function nextMessages(
  connection: WebSocketConnection,
  count: number,
  what: string,
): Promise<unknown[]> {
  const received: unknown[] = [];
  const all = new Promise<unknown[]>((resolve) => {
    const onMessage = (data: string | Buffer) => {
      received.push(JSON.parse(String(data)));
      if (received.length < count) return;
      connection.off('message', onMessage);
      resolve(received);
    };
    connection.on('message', onMessage);
  });
  return within(all, 10_000, what);
}

const plan = (id: number, map: number) => JSON.stringify({ id, kind: 'plan', map, size: 30 });
const route = (id: number, map: number) => ({
  id,
  kind: 'route',
  steps: planRoute({ map, size: 30 }),
});
/** Map numbers the fixture worker treats specially (test/fixtures/logic-under-test.worker.ts). */
const CRASH_MAP = -1;
const HOLD_MAP = -2;
const CRASH_IN_TIMER_MAP = -4;

/** A pool server running the fixture worker; `gate[0] = 1` releases its held jobs. */
async function startFixtureServer(limits?: PlanLimits, clientOf?: () => string) {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const server = await within(
    startGameServer({
      placement: 'worker pool',
      workers: 1,
      ...(limits ? { limits } : {}),
      ...(clientOf ? { clientOf } : {}),
      logicWorker: new URL('./fixtures/logic-under-test.worker.ts', import.meta.url),
      logicWorkerData: gate.buffer,
    }),
    20_000,
    'the fixture server to start',
  );
  const release = () => {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
  };
  return { server, release };
}

describe('parseClientMessage', () => {
  it.each([
    ['{', 'message is not valid JSON'],
    ['[]', 'message needs an integer "id"'],
    ['{"id":1.5,"kind":"ping"}', 'message needs an integer "id"'],
    ['{"id":1,"kind":"fly"}', 'unknown kind "fly"; expected "ping" or "plan"'],
    ['{"id":1,"kind":"plan","size":10}', 'plan needs an integer "map"'],
    // JSON has no NaN; a number too big for a double parses as Infinity, not an integer.
    ['{"id":1e400,"kind":"ping"}', 'message needs an integer "id"'],
    ['{"id":1,"kind":"plan","map":1e400,"size":10}', 'plan needs an integer "map"'],
    ['{"id":1,"kind":"plan","map":"7","size":10}', 'plan needs an integer "map"'],
    ['{"id":1,"kind":"plan","map":7,"size":-5}', 'plan "size" must be an integer from 2 to 1000'],
    [
      '{"id":1,"kind":"plan","map":7,"size":[500]}',
      'plan "size" must be an integer from 2 to 1000',
    ],
    ['"just a string"', 'message needs an integer "id"'],
    ['null', 'message needs an integer "id"'],
    [
      `{"id":1,"kind":"plan","map":1,"size":${MAX_MAP_SIZE + 1}}`,
      `plan "size" must be an integer from 2 to ${MAX_MAP_SIZE}`,
    ],
  ])('answers %s with "%s"', (text, error) => {
    expect(parseClientMessage(text)).toBe(error);
  });

  it('accepts a well-formed plan', () => {
    expect(parseClientMessage('{"id":3,"kind":"plan","map":7,"size":20}')).toEqual({
      id: 3,
      kind: 'plan',
      map: 7,
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
      expect(await ask(client, { id: 2, kind: 'plan', map: 5, size: 60 })).toEqual({
        id: 2,
        kind: 'route',
        steps: planRoute({ map: 5, size: 60 }),
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
  it('hands an accepted socket to a child process; a worker thread cannot be handed one, but serves its own', async () => {
    const report = await within(demonstrateSocketHandoff(), 20_000, 'the socket hand-off demo');
    expect(report.childPid).toBeDefined();
    expect(report.childPid).not.toBe(report.parentPid);
    expect(report.reply).toBe(`served by child pid ${report.childPid}`);
    expect(report.workerError).toBe('DataCloneError: a net.Socket could not be cloned');
    expect(report.workerServerReply).toMatch(
      new RegExp(`^served by worker thread [1-9]\\d* of pid ${report.parentPid}$`),
    );
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

describe('game server under a flood of plans', () => {
  it('answers plans over the per-connection and server-wide limits with an error; others stay answered', async () => {
    const { server, release } = await startFixtureServer({
      perConnection: 2,
      perAddress: 100,
      total: 3,
    });
    const [flooder, second, bystander] = await Promise.all([
      connect(server.url),
      connect(server.url),
      connect(server.url),
    ]);
    try {
      // Two held plans fill the flooder's share; the third is refused at once.
      const refused = nextMessages(flooder, 1, "the flooder's third plan to be refused");
      for (const id of [1, 2, 3]) flooder.send(plan(id, HOLD_MAP));
      expect(await refused).toEqual([
        {
          id: 3,
          kind: 'error',
          message:
            'too many route plans in flight on this connection (limit 2); wait for an answer before sending another',
        },
      ]);
      // One more plan fills the server; the next, from another client, is refused too.
      const secondAnswers = nextMessages(second, 2, 'the second client to get two answers');
      second.send(plan(1, HOLD_MAP));
      second.send(plan(2, 7));
      expect(await ask(bystander, { id: 1, kind: 'ping' })).toEqual({ id: 1, kind: 'pong' });
      // The flooder leaves while its plans are held: their answers must be dropped, and the
      // places they held given back.
      const left = once(flooder, 'close');
      flooder.close();
      await within(left, 10_000, 'the flooder to disconnect');
      release();
      expect(await secondAnswers).toEqual([
        { id: 2, kind: 'error', message: 'server is busy with 3 route plans; try again later' },
        route(1, HOLD_MAP),
      ]);
      // Every place is free again: three plans at once are all answered with routes.
      const bystanderAnswers = nextMessages(bystander, 2, 'the bystander to get two routes');
      bystander.send(plan(2, 8));
      bystander.send(plan(3, 9));
      expect(await ask(second, { id: 3, kind: 'plan', map: 10, size: 30 })).toEqual(route(3, 10));
      expect(await bystanderAnswers).toEqual(expect.arrayContaining([route(2, 8), route(3, 9)]));
    } finally {
      release();
      second.close();
      bystander.close();
      await within(server.close(), 15_000, 'the fixture server to close');
    }
  });

  it('a client with several connections cannot take every place: a client at another address is still planned for', async () => {
    // Every test connection comes from 127.0.0.1, so the test names the clients: the first
    // three connections are the flooder's, the fourth is the bystander's.
    let accepted = 0;
    const clientOf = () => (++accepted <= 3 ? 'flooder 192.0.2.1' : 'bystander 198.51.100.7');
    const { server, release } = await startFixtureServer(
      { perConnection: 2, perAddress: 4, total: 6 },
      clientOf,
    );
    const flooders: WebSocketConnection[] = [];
    try {
      for (let i = 0; i < 3; i++) flooders.push(await connect(server.url));
      const bystander = await connect(server.url);
      flooders.push(bystander); // closed with the others
      // 3 connections × 2 held plans: the first two fill the address's 4 places, and the
      // third connection's plans are refused although it holds none.
      const refusals = nextMessages(
        flooders[2] as WebSocketConnection,
        2,
        "the flooder's third connection to be refused twice",
      );
      for (const each of flooders.slice(0, 3)) {
        each.send(plan(1, HOLD_MAP));
        each.send(plan(2, HOLD_MAP));
      }
      const message =
        'too many route plans in flight from your address (limit 4); wait for an answer before sending another';
      expect(await refusals).toEqual([
        { id: 1, kind: 'error', message },
        { id: 2, kind: 'error', message },
      ]);
      // Two of the server's six places are left, and the bystander gets one.
      const answer = nextMessages(bystander, 1, "the bystander's plan to be answered");
      bystander.send(plan(1, 7));
      release();
      expect(await answer).toEqual([route(1, 7)]);
    } finally {
      release();
      for (const each of flooders) each.close();
      await within(server.close(), 15_000, 'the fixture server to close');
    }
  });

  it('refuses a connection over maxConnections with 503 while the others keep being answered', async () => {
    const server = await within(
      startGameServer({ placement: 'main thread', workers: 1, maxConnections: 2 }),
      20_000,
      'the server to start',
    );
    const clients = [await connect(server.url), await connect(server.url)];
    try {
      const refused = await within(
        connect(server.url).then(
          (extra) => {
            clients.push(extra);
            return 'accepted';
          },
          (error: unknown) => String(error),
        ),
        10_000,
        'a third connection to be refused',
      );
      expect(refused).toBe(
        'HandshakeError: server refused the upgrade: 503 Service Unavailable: server is full (2 connections): try again later',
      );
      expect(await ask(clients[0] as WebSocketConnection, { id: 1, kind: 'ping' })).toEqual({
        id: 1,
        kind: 'pong',
      });
    } finally {
      for (const client of clients) client.close();
      await within(server.close(), 15_000, 'the server to close');
    }
  });

  it('a worker that exits or throws mid-plan costs one error reply; it is replaced and the next plan is answered', async () => {
    const { server } = await startFixtureServer();
    const client = await connect(server.url);
    try {
      expect(await ask(client, { id: 1, kind: 'plan', map: CRASH_MAP, size: 30 })).toEqual({
        id: 1,
        kind: 'error',
        message: 'route planning failed because its worker stopped; try again',
      });
      expect(await ask(client, { id: 2, kind: 'plan', map: 5, size: 30 })).toEqual(route(2, 5));
      // A worker ended by an uncaught exception (an 'error' event, not an exit mid-job).
      expect(await ask(client, { id: 3, kind: 'plan', map: CRASH_IN_TIMER_MAP, size: 30 })).toEqual(
        {
          id: 3,
          kind: 'error',
          message: 'route planning failed because its worker stopped; try again',
        },
      );
      expect(await ask(client, { id: 4, kind: 'plan', map: 6, size: 30 })).toEqual(route(4, 6));
    } finally {
      client.close();
      await within(server.close(), 15_000, 'the fixture server to close');
    }
  });
});
