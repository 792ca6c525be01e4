/**
 * Two buses, each with connections of its own, stand for two processes serving one chat; every
 * test starts a redis-server of its own between them and looks at Redis from outside with an
 * admin connection (PUBSUB NUMSUB, CLIENT LIST). That an event did NOT arrive is proved with a
 * fence: a later event from the same publisher, which Redis delivers after it.
 */
import { within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChatEvent,
  channelOf,
  RedisRoomBus,
  type RedisRoomBusOptions,
  RelayUnavailableError,
} from './01-redis-room-bus.ts';
import { Gate } from './grading/gate.ts';
import {
  type Admin,
  cleanUp,
  clientList,
  closedPort,
  eventually,
  later,
  shouldRunRedisTests,
  startRedis,
  untilClientCount,
  WAIT_MS,
} from './grading/redis.ts';

afterEach(cleanUp);

const say = (nick: string, text: string): ChatEvent => ({ type: 'message', nick, text });

function show(event: ChatEvent): string {
  return event.type === 'message' ? `${event.nick}: ${event.text}` : JSON.stringify(event);
}

/** What one room's deliver got, with waits that say what is missing. */
class Inbox {
  readonly events: ChatEvent[] = [];
  readonly deliver = (event: ChatEvent): void => {
    this.events.push(event);
  };

  constructor(readonly label: string) {}

  lines(): string[] {
    return this.events.map(show);
  }

  untilEvent(found: (event: ChatEvent) => boolean, what: string): Promise<ChatEvent> {
    return eventually(
      () => this.events.find(found),
      `${this.label} to receive ${what}`,
      () => `it has ${this.events.length ? this.lines().join(' | ') : 'nothing'}`,
    );
  }

  untilLine(nick: string, text: string): Promise<ChatEvent> {
    return this.untilEvent(
      (e) => e.type === 'message' && e.nick === nick && e.text === text,
      `"${nick}: ${text}"`,
    );
  }

  untilCount(count: number): Promise<true> {
    return eventually(
      () => this.events.length >= count || undefined,
      `${this.label} to receive ${count} events`,
      () => `it has ${this.events.length}`,
    );
  }
}

async function connectBus(url: string, options?: RedisRoomBusOptions): Promise<RedisRoomBus> {
  const bus = await RedisRoomBus.connect(url, options);
  // A test that closes its bus has checked close() itself; here it only must not linger.
  later(() => within(bus.close(), WAIT_MS, 'bus.close()').catch(() => {}));
  return bus;
}

async function subscribers(admin: Admin, room: string): Promise<number> {
  const reply = (await admin.sendCommand(['PUBSUB', 'NUMSUB', channelOf(room)])) as unknown[];
  return Number(reply[1]);
}

describe.runIf(shouldRunRedisTests())('3.4/01 RedisRoomBus', () => {
  it('hands an event published on one bus to every bus subscribed to the room, its own included, exactly once', async () => {
    const { url } = await startRedis();
    const [a, b] = [await connectBus(url), await connectBus(url)];
    const [inA, inB] = [new Inbox('bus A'), new Inbox('bus B')];
    await a.subscribe('lobby', inA.deliver);
    await b.subscribe('lobby', inB.deliver);

    const fromA = say('ann', 'hello from A');
    const fromB = say('bob', 'hello from B');
    const fence = say('ann', 'fence');
    a.publish('lobby', fromA);
    b.publish('lobby', fromB);
    await inA.untilLine('bob', 'hello from B');
    await inB.untilLine('ann', 'hello from A');
    a.publish('lobby', fence);
    await inA.untilLine('ann', 'fence');
    await inB.untilLine('ann', 'fence');
    // A's own event must come back through Redis, once: a local shortcut would deliver it twice
    // (or, with the echo filtered out, in another order than the other processes see).
    for (const inbox of [inA, inB]) {
      expect(
        inbox.events.filter((e) => e.type === 'message' && e.text === 'hello from A'),
        `${inbox.label}: copies of A's event`,
      ).toHaveLength(1);
      expect(new Set(inbox.lines()), `${inbox.label}: what it got`).toEqual(
        new Set([fromA, fromB, fence].map(show)),
      );
      expect(inbox.events, `${inbox.label}: nothing more than the three events`).toHaveLength(3);
    }
  });

  it("gives every subscriber a room's events in one order, each publisher's in the order it sent them", async () => {
    const { url } = await startRedis();
    const [a, b] = [await connectBus(url), await connectBus(url)];
    const [inA, inB] = [new Inbox('bus A'), new Inbox('bus B')];
    await a.subscribe('lobby', inA.deliver);
    await b.subscribe('lobby', inB.deliver);

    const count = 100;
    for (let i = 0; i < count; i++) {
      a.publish('lobby', say('ann', `a${i}`));
      b.publish('lobby', say('bob', `b${i}`));
    }
    await inA.untilCount(2 * count);
    await inB.untilCount(2 * count);

    const [seenA, seenB] = [inA.lines(), inB.lines()];
    const differ = seenA.findIndex((line, i) => line !== seenB[i]);
    expect(
      differ,
      `bus A and bus B got the room's events in different orders: at #${differ} A got "${seenA[differ]}", B got "${seenB[differ]}" (deliver only what comes back from Redis, which gives every subscriber the same order)`,
    ).toBe(-1);
    const sent = (nick: string, prefix: string) =>
      Array.from({ length: count }, (_, i) => `${nick}: ${prefix}${i}`);
    expect(
      seenA.filter((line) => line.startsWith('ann:')),
      "ann's lines in the order she sent them",
    ).toEqual(sent('ann', 'a'));
    expect(
      seenA.filter((line) => line.startsWith('bob:')),
      "bob's lines in the order he sent them",
    ).toEqual(sent('bob', 'b'));
    expect(seenA, 'events in all').toHaveLength(2 * count);
  });

  it('keeps rooms apart, even rooms whose names look like patterns or are not ASCII', async () => {
    const { url } = await startRedis();
    const [a, b] = [await connectBus(url), await connectBus(url)];
    const rooms = ['red', 'red*', 're?', '大厅 1'];
    const inboxes = rooms.map((room) => new Inbox(`bus A's room "${room}"`));
    for (const [i, room] of rooms.entries())
      await a.subscribe(room, inboxes[i]?.deliver ?? (() => {}));

    for (const room of rooms) b.publish(room, say('bob', `only for ${room}`));
    for (const room of rooms) b.publish(room, say('bob', `fence for ${room}`));
    for (const [i, room] of rooms.entries()) {
      const inbox = inboxes[i] as Inbox;
      await inbox.untilLine('bob', `fence for ${room}`);
      expect(inbox.lines(), `${inbox.label} got another room's events`).toEqual([
        `bob: only for ${room}`,
        `bob: fence for ${room}`,
      ]);
    }
  });

  it('stops delivering a room at once on unsubscribe, drops the subscription in Redis, and can subscribe again', async () => {
    const { url, admin, redis } = await startRedis();
    // Bus B talks to Redis through a gate, so the test decides when B sees what Redis sent it.
    const gate = await Gate.open(redis.port);
    later(() => gate.stop());
    const [a, b] = [await connectBus(url), await connectBus(gate.url)];
    const [lobby, fences] = [new Inbox("bus B's lobby"), new Inbox("bus B's room 'fence'")];
    await b.subscribe('lobby', lobby.deliver);
    await b.subscribe('fence', fences.deliver);
    expect(await subscribers(admin, 'lobby'), 'subscribers of chat:room:lobby in Redis').toBe(1);

    gate.hold();
    // PUBLISH answers how many subscribers Redis sent the event to: B's copy is on its way, held.
    const sentTo = await admin.publish(
      channelOf('lobby'),
      JSON.stringify(say('ann', 'sent before unsubscribe')),
    );
    expect(sentTo, 'subscribers Redis sent the lobby event to').toBe(1);
    b.unsubscribe('lobby');
    gate.release();
    a.publish('fence', say('ann', 'fence'));
    await fences.untilLine('ann', 'fence');
    expect(
      lobby.lines(),
      'lobby events delivered after unsubscribe("lobby"), though Redis sent them before it heard of it (forget the room at once, and look it up on every message)',
    ).toEqual([]);
    a.publish('lobby', say('ann', 'after unsubscribe'));
    a.publish('fence', say('ann', 'fence 2'));
    await fences.untilLine('ann', 'fence 2');
    expect(lobby.lines(), 'lobby events published after unsubscribe("lobby")').toEqual([]);
    let left = -1;
    await eventually(
      async () => {
        left = await subscribers(admin, 'lobby');
        return left === 0;
      },
      'Redis to drop the subscription to chat:room:lobby',
      () =>
        `PUBSUB NUMSUB still counts ${left}: unsubscribe must also UNSUBSCRIBE the channel, or Redis keeps sending the room's events to this process`,
    );

    await b.subscribe('lobby', lobby.deliver);
    a.publish('lobby', say('ann', 'welcome back'));
    await lobby.untilLine('ann', 'welcome back');
    expect(lobby.lines(), 'the lobby after subscribing again').toEqual(['ann: welcome back']);
  });

  it('resolves a second subscribe to a room only once Redis has confirmed the subscription', async () => {
    const { url, admin } = await startRedis();
    const [a, b] = [await connectBus(url), await connectBus(url)];
    const lobby = new Inbox("bus B's lobby");
    const resolved: string[] = [];
    // Both calls before Redis can answer: the second must not resolve ahead of the first.
    const first = b.subscribe('lobby', lobby.deliver).then(() => resolved.push('first'));
    const second = b.subscribe('lobby', lobby.deliver).then(() => resolved.push('second'));
    await within(Promise.all([first, second]), WAIT_MS, 'both subscribe() calls');
    expect(
      resolved,
      'the order the two subscribe() calls resolved in (a second call while the first SUBSCRIBE is on its way must wait for it: keep its promise per room)',
    ).toEqual(['first', 'second']);
    expect(await subscribers(admin, 'lobby'), 'subscribers of chat:room:lobby in Redis').toBe(1);
    a.publish('lobby', say('ann', 'once'));
    a.publish('lobby', say('ann', 'fence'));
    await lobby.untilLine('ann', 'fence');
    expect(lobby.lines(), 'the lobby, subscribed twice').toEqual(['ann: once', 'ann: fence']);
  });

  it('drops what on the channel is not a chat event, and keeps only the known fields of what is', async () => {
    const { url, admin } = await startRedis();
    const bus = await connectBus(url);
    const inbox = new Inbox('the lobby');
    await bus.subscribe('lobby', inbox.deliver);

    const hostile = [
      'not json',
      '',
      'null',
      '[]',
      '42',
      '{"type":"welcome","nick":"eve","room":"lobby","members":[]}',
      '{"type":"dropped","count":3}',
      '{"type":"message","nick":"eve"}',
      '{"type":"message","nick":7,"text":"seven"}',
      '{"type":"join","nick":"eve","online":1.5}',
      '{"type":"message","nick":"eve","text":"hi","html":"<script>alert(1)</script>"}',
      '{"type":"leave","nick":"eve","online":0,"reason":"quit","admin":true}',
      '{"type":"message","nick":"bob","text":"fence"}',
    ];
    for (const text of hostile) await admin.publish(channelOf('lobby'), text);
    await inbox.untilLine('bob', 'fence');
    expect(inbox.events, 'what the room got from those raw messages').toStrictEqual([
      { type: 'message', nick: 'eve', text: 'hi' },
      { type: 'leave', nick: 'eve', online: 0, reason: 'quit' },
      { type: 'message', nick: 'bob', text: 'fence' },
    ]);
  });

  it('publishes to an unreachable Redis without throwing, tells the room with a notice, and still closes', async () => {
    const { url, redis } = await startRedis();
    const bus = await connectBus(url, { publishTimeoutMs: 1000 });
    const inbox = new Inbox('the lobby');
    await bus.subscribe('lobby', inbox.deliver);

    await redis.stop();
    for (let i = 0; i < 20; i++)
      expect(() => bus.publish('lobby', say('ann', `into the void ${i}`)), 'publish').not.toThrow();
    await inbox.untilEvent(
      (e) => e.type === 'notice',
      'a notice that the relay is unavailable (a publish to a Redis that is gone must fail fast: is the offline queue off?)',
    );
    // close() settles every publish still waiting (it fails them), so once it has returned each
    // lost line of this outage has had its say: count the notices over all of them.
    await within(
      bus.close(),
      WAIT_MS,
      'close() while Redis is down (close() waits for replies; destroy() a client that is not ready)',
    );
    expect(
      inbox.events.filter((e) => e.type === 'notice'),
      'notices over the whole outage (one, not one per lost line)',
    ).toHaveLength(1);
    expect(
      inbox.events.filter((e) => e.type === 'message'),
      'delivered while Redis is gone: deliver only what comes back from Redis',
    ).toEqual([]);
  });

  it('opens a connection to publish and another to subscribe, and close() closes them', async () => {
    const { url, admin } = await startRedis();
    const before = (await clientList(admin)).length;
    const bus = await RedisRoomBus.connect(url);
    later(() => within(bus.close(), WAIT_MS, 'bus.close()').catch(() => {}));
    await bus.subscribe('lobby', () => {});
    const during = await clientList(admin);
    expect(
      during.length - before,
      'connections the bus opened (a subscribed connection can only (un)subscribe, so publishing needs another)',
    ).toBeGreaterThanOrEqual(2);
    expect(
      during.map((c) => c.cmd),
      'a connection that subscribed',
    ).toContain('subscribe');

    await within(bus.close(), WAIT_MS, 'close()');
    await untilClientCount(admin, before, "the bus's connections to be gone after close()");
  });
});

describe('3.4/01 RedisRoomBus.connect', () => {
  it('rejects with RelayUnavailableError naming the URL when nothing listens there', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const attempt = within(
      RedisRoomBus.connect(url, { connectTimeoutMs: 500 }),
      WAIT_MS,
      'connect() to a port where nothing listens (give up after connectTimeoutMs)',
    );
    await expect(attempt).rejects.toBeInstanceOf(RelayUnavailableError);
    await expect(attempt).rejects.toThrow(url);
  });
});
